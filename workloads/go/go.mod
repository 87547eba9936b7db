module runtime-arena/workloads/go

go 1.22
