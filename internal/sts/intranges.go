package sts

import (
	_ "embed"

	"github.com/bargehq/barge/internal/awsproto"
)

// intRangesJSON lists the integer members of the operations' inputs with
// their types and ranges, from the AWS model (scripts/gen-int-ranges.py).
//
//go:embed intranges.json
var intRangesJSON []byte

// intRanges is checked before every request is decoded.
var intRanges = awsproto.MustParseIntRanges(intRangesJSON)
