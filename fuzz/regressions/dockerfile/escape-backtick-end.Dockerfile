# escape=`
FROM a`