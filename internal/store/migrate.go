package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrations holds the schema, one numbered file per change:
// migrations/0001_init.sql, 0002_....sql. A file, once released, is never
// edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one schema change.
type migration struct {
	version int
	name    string // file name, for the log
	sql     string
}

// loadMigrations returns the migrations for the dialect named dialect in
// version order. A file NNNN_name.<dialect>.sql, when there is one, replaces
// NNNN_name.sql for that dialect: for the few changes that the dialect's
// schema function cannot translate.
func loadMigrations(fsys fs.FS, dialect string) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]migration{}
	own := map[int]bool{} // the dialect's own version was found
	for _, name := range names {
		base := path.Base(name)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", base)
		}
		stem := strings.TrimSuffix(rest, ".sql")
		mine := false
		if i := strings.IndexByte(stem, '.'); i >= 0 {
			if stem[i+1:] != dialect {
				continue // another dialect's version
			}
			mine = true
		}
		if prev, dup := byVersion[v]; dup && own[v] == mine {
			return nil, fmt.Errorf("migrations %s and %s have the same number", prev.name, base)
		} else if dup && !mine {
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		byVersion[v] = migration{version: v, name: base, sql: string(b)}
		own[v] = mine
	}
	ms := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate brings the schema up to date: it applies, in order, each
// migration that schema_migrations does not list, each in a transaction of
// its own together with its record.
//
// Several barge processes may start on one database at once: the first to
// take the dialect's schema lock migrates, and the others, once they have
// the lock, find nothing left to do. A database migrated by a newer barge,
// with migrations this binary does not know, is refused: running old code
// on a new schema could corrupt it.
func migrate(ctx context.Context, conn *sql.Conn, d dialect, ms []migration, log *slog.Logger) (err error) {
	if d.lockSchema != "" {
		if _, err := conn.ExecContext(ctx, d.lockSchema); err != nil {
			return fmt.Errorf("lock the schema: %w", err)
		}
		defer func() {
			// A lock left behind by a failed unlock ends with the session,
			// which the caller closes on error.
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), d.unlockSchema); uerr != nil && err == nil {
				err = fmt.Errorf("unlock the schema: %w", uerr)
			}
		}()
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL
	)`); err != nil {
		return err
	}
	applied := map[int]bool{}
	newest := 0
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
		newest = max(newest, v)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if known := ms[len(ms)-1].version; newest > known {
		return &SchemaTooNewError{Version: newest, Known: known}
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := applyMigration(ctx, conn, d, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		log.Info("applied schema migration", "migration", m.name)
	}
	return nil
}

// SchemaTooNewError is Open's error for a database whose schema a newer
// barge has migrated past what this one knows.
type SchemaTooNewError struct {
	Version int // the database's newest migration
	Known   int // this barge's newest migration
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the database's schema is at version %d, newer than this barge knows (%d): "+
		"a newer barge has upgraded it, and this one refuses to run on it; run the newer barge, or one at least as new", e.Version, e.Known)
}

func applyMigration(ctx context.Context, conn *sql.Conn, d dialect, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, d.schema(m.sql)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.rebind("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"), m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}
