package barge

import "testing"

func TestRetries(t *testing.T) {
	exited := func(code int, reason string) Attempt {
		return Attempt{StatusReason: "Essential container in task exited", Container: ContainerRuntime{ExitCode: &code, Reason: reason}}
	}
	spot := Attempt{StatusReason: "Your Spot Task was interrupted.", Container: ContainerRuntime{ExitCode: ptr(143)}}
	noStart := Attempt{StatusReason: "Task failed to start", Container: ContainerRuntime{Reason: "CannotPullContainerError: pull access denied"}}
	rules := func(attempts int, rules ...EvaluateOnExit) *RetryStrategy {
		return &RetryStrategy{Attempts: &attempts, EvaluateOnExit: rules}
	}
	tests := []struct {
		name string
		rs   *RetryStrategy
		made int
		a    Attempt
		want bool
	}{
		{"no strategy: one attempt", nil, 1, exited(1, ""), false},
		{"attempts left, no rules", rules(3), 2, exited(1, ""), true},
		{"attempts used up", rules(3), 3, exited(1, ""), false},
		{"exit code RETRY", rules(3, EvaluateOnExit{OnExitCode: "3", Action: "RETRY"}, EvaluateOnExit{OnExitCode: "4", Action: "EXIT"}), 1, exited(3, ""), true},
		{"exit code EXIT", rules(3, EvaluateOnExit{OnExitCode: "3", Action: "RETRY"}, EvaluateOnExit{OnExitCode: "4", Action: "EXIT"}), 1, exited(4, ""), false},
		{"no rule matches: retry", rules(3, EvaluateOnExit{OnExitCode: "3", Action: "EXIT"}), 1, exited(5, ""), true},
		{"action case-insensitive", rules(3, EvaluateOnExit{OnExitCode: "4", Action: "exit"}), 1, exited(4, ""), false},
		{"first match wins", rules(3, EvaluateOnExit{OnExitCode: "1*", Action: "EXIT"}, EvaluateOnExit{OnExitCode: "137", Action: "RETRY"}), 1, exited(137, ""), false},
		{"exit code prefix", rules(3, EvaluateOnExit{OnExitCode: "13*", Action: "EXIT"}), 1, exited(137, ""), false},
		{"exit code is whole", rules(3, EvaluateOnExit{OnExitCode: "13", Action: "EXIT"}), 1, exited(137, ""), true},
		{"no exit code matches no onExitCode", rules(3, EvaluateOnExit{OnExitCode: "*", Action: "EXIT"}), 1, noStart, true},
		{"status reason prefix", rules(2, EvaluateOnExit{OnStatusReason: "Your Spot Task was interrupted*", Action: "RETRY"}, EvaluateOnExit{OnReason: "*", Action: "EXIT"}), 1, spot, true},
		{"catch-all EXIT", rules(2, EvaluateOnExit{OnStatusReason: "Your Spot Task was interrupted*", Action: "RETRY"}, EvaluateOnExit{OnReason: "*", Action: "EXIT"}), 1, exited(1, ""), false},
		{"patterns are case-sensitive", rules(2, EvaluateOnExit{OnStatusReason: "your spot task*", Action: "EXIT"}), 1, spot, true},
		{"reason", rules(2, EvaluateOnExit{OnReason: "CannotPullContainerError:*", Action: "EXIT"}), 1, noStart, false},
		{"all conditions must match", rules(2, EvaluateOnExit{OnStatusReason: "Essential container in task exited", OnExitCode: "2", Action: "EXIT"}), 1, exited(1, ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rs.Retries(tt.made, tt.a); got != tt.want {
				t.Errorf("Retries(%d, %+v) = %v, want %v", tt.made, tt.a, got, tt.want)
			}
		})
	}
}
