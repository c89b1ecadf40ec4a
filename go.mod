module github.com/robokassa-go/robokassa

go 1.24.0

require (
	github.com/shopspring/decimal v1.6.0
	golang.org/x/crypto v0.45.0
)
