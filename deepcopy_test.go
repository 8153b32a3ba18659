package barge

import (
	"reflect"
	"strconv"
	"testing"
)

// fill sets every member of v, all the way down, from seed: pointers
// non-nil, slices and maps of two elements, strings and numbers distinct.
func fill(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), seed)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, seed)
			fill(e, seed)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), seed)
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"k": []any{"s" + strconv.Itoa(*seed), float64(*seed)}}))
	case reflect.String:
		v.SetString("s" + strconv.Itoa(*seed))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*seed))
	case reflect.Float64:
		v.SetFloat(float64(*seed))
	case reflect.Bool:
		v.SetBool(*seed%2 == 0)
	}
}

// TestDeepCopy copies container properties and job specs with every member
// set: the copy is equal, and changing every member of the copy leaves the
// original as it was, so the two share nothing.
func TestDeepCopy(t *testing.T) {
	check := func(t *testing.T, typ reflect.Type, copyOf func(reflect.Value) reflect.Value) {
		orig, want := reflect.New(typ), reflect.New(typ)
		seed := 0
		fill(orig.Elem(), &seed)
		seed = 0
		fill(want.Elem(), &seed)
		c := copyOf(orig)
		if !reflect.DeepEqual(c.Interface(), orig.Interface()) {
			t.Fatalf("copy = %+v, want %+v", c.Elem().Interface(), orig.Elem().Interface())
		}
		seed = 1000
		fill(c.Elem(), &seed)
		if !reflect.DeepEqual(orig.Interface(), want.Interface()) {
			t.Errorf("changing the copy changed the original: %+v", orig.Elem().Interface())
		}
	}
	t.Run("ContainerProperties", func(t *testing.T) {
		check(t, reflect.TypeFor[ContainerProperties](), func(v reflect.Value) reflect.Value {
			return reflect.ValueOf(cloneContainer(v.Interface().(*ContainerProperties)))
		})
	})
	t.Run("JobSpec", func(t *testing.T) {
		check(t, reflect.TypeFor[JobSpec](), func(v reflect.Value) reflect.Value {
			return reflect.ValueOf(deepCopy(v.Interface().(*JobSpec)))
		})
	})
	t.Run("JSON values", func(t *testing.T) {
		orig := map[string]any{"a": []any{"x", map[string]any{"b": true}}}
		c := deepCopy(orig)
		c["a"].([]any)[0] = "changed"
		c["a"].([]any)[1].(map[string]any)["b"] = false
		if want := (map[string]any{"a": []any{"x", map[string]any{"b": true}}}); !reflect.DeepEqual(orig, want) {
			t.Errorf("changing the copy changed the original: %v", orig)
		}
	})
	if c := deepCopy[*JobSpec](nil); c != nil {
		t.Errorf("deepCopy(nil) = %v, want nil", c)
	}
}

func BenchmarkCloneContainer(b *testing.B) {
	c := &ContainerProperties{}
	seed := 0
	fill(reflect.ValueOf(c).Elem(), &seed)
	for b.Loop() {
		cloneContainer(c)
	}
}
