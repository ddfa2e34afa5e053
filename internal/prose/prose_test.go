package prose

import "testing"

func TestProse(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{List(nil), ""},
		{List([]string{"a"}), "a"},
		{List([]string{"a", "b"}), "a and b"},
		{List([]string{"a", "b", "c"}), "a, b and c"},
		{ListAtMost([]string{"a", "b", "c", "d"}, 2), "a, b and 2 more"},
		{ListAtMost([]string{"a", "b"}, 2), "a, b"},
		{Count(999), "999"},
		{Count(0), "0"},
		{Count(1000), "1,000"},
		{Count(100000), "100,000"},
		{Count(-1234567), "-1,234,567"},
		{Plural(1, "request", "requests"), "1 request"},
		{Plural(10000, "request", "requests"), "10,000 requests"},
		{"flow" + S(1), "flow"},
		{"flow" + S(0), "flows"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
