package barge

import "reflect"

// deepCopy returns a copy of v that shares no memory with it: pointers,
// slices and maps are copied all the way down. It serves the plain data
// types of this package (structs of strings, numbers, bools, and pointers,
// slices and maps of them, and the values encoding/json decodes into an
// interface), which have no cycles, channels or functions.
func deepCopy[T any](v T) T {
	out := reflect.New(reflect.TypeFor[T]()).Elem()
	copyValue(out, reflect.ValueOf(&v).Elem())
	return out.Interface().(T)
}

// copyValue sets dst, which is settable and of src's type, to a deep copy
// of src.
func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			copyValue(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			copyValue(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Struct:
		for i := range src.NumField() {
			copyValue(dst.Field(i), src.Field(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		panic("deepCopy: cannot copy a " + src.Kind().String() + " (" + src.Type().String() + ")")
	default:
		dst.Set(src)
	}
}
