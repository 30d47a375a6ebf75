créate tàble "é😀" (ß int); E'\é'; $é$x$é$; --é
/*😀*/