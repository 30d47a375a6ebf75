FROM a
RUN <<EOF <<EOT cat
x
