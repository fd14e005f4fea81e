import GRDB

/// The relay database schema, as a timeline of named migrations.
///
/// Rules (GRDB's Migrations guide): migrations are only ever appended — a shipped one is
/// never edited, renamed or removed — and they speak SQL/the table builder with string
/// names, never record types, so they keep describing the past when records change.
/// There is deliberately no `eraseDatabaseOnSchemaChange`: `myc allow` and the relay
/// share this file, and a wipe would silently drop bindings, revocations and the queue.
enum RelayMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1") { db in
            // bindings[room][name] = key (PROTOCOL.md §4.11.2). `seq` keeps insertion order
            // explicitly (rowids of tables without INTEGER PRIMARY KEY may change on VACUUM).
            // There is NO unique constraint on (room, key): §4.11.3 step 4 *detects* a key
            // bound under two names (`key_conflict`), and a rotation (§4.11.4) can create
            // that state, so the store records it faithfully instead of throwing.
            try db.create(table: "binding", options: [.strict]) { t in
                t.column("room", .text).notNull()
                t.column("name", .text).notNull()
                t.column("key", .text).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "name"])
            }
            try db.create(index: "binding_on_room_key", on: "binding", columns: ["room", "key"])
            try db.create(index: "binding_on_seq", on: "binding", columns: ["seq"])

            // legacy[room]: keys admitted by a v1 allow-list, not yet bound to a name.
            try db.create(table: "legacy_key", options: [.strict]) { t in
                t.column("room", .text).notNull()
                t.column("key", .text).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "key"])
            }
            try db.create(index: "legacy_key_on_seq", on: "legacy_key", columns: ["seq"])

            // revoked[room]: the per-room blocklist (§4.11.6).
            try db.create(table: "revoked_key", options: [.strict]) { t in
                t.column("room", .text).notNull()
                t.column("key", .text).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "key"])
            }
            try db.create(index: "revoked_key_on_seq", on: "revoked_key", columns: ["seq"])

            // The offline queue (§4.4): ciphertext frames only. `id` is assigned by the core
            // and orders each (room, target) FIFO.
            try db.create(table: "queued_frame", options: [.strict]) { t in
                t.primaryKey("id", .integer)
                t.column("room", .text).notNull()
                t.column("target", .text).notNull()
                t.column("sender", .text).notNull()
                t.column("data", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("expires_at_ms", .integer).notNull()
            }
            try db.create(index: "queued_frame_on_room_target_id", on: "queued_frame", columns: ["room", "target", "id"])
            try db.create(index: "queued_frame_on_expires_at_ms", on: "queued_frame", columns: ["expires_at_ms"])

            // Small facts about the database itself, e.g. which reference files were imported.
            try db.create(table: "meta", options: [.strict]) { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }

        // Migrations for later versions are appended here ("v2", ...), never inserted above.
        return migrator
    }
}
