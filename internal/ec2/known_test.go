package ec2

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// TestUnknown tells the subnets and security groups that EC2 knows (the
// default VPC's) from those it does not, for compute environments'
// statusReason.
func TestUnknown(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Config{Store: st, Scope: barge.Scope{Region: "us-east-1", Account: "123456789012"}})
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil { // a restart creates nothing again
		t.Fatal(err)
	}
	subnets, err := st.ListEC2Resources(ctx, kindSubnet)
	if err != nil || len(subnets) != 6 {
		t.Fatalf("default subnets = %d, %v, want 6 (one per zone of us-east-1)", len(subnets), err)
	}
	groups, err := st.ListEC2Resources(ctx, kindSecurityGroup)
	if err != nil || len(groups) != 1 {
		t.Fatalf("default security groups = %d, %v, want 1", len(groups), err)
	}
	unknown, err := s.Unknown(ctx, []string{subnets[0].ID, "subnet-1"}, []string{"sg-1", groups[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"subnet-1", "sg-1"}; !slices.Equal(unknown, want) {
		t.Errorf("Unknown = %v, want %v", unknown, want)
	}
}
