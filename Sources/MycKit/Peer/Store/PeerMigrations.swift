import GRDB

/// The peer database schema, as a timeline of named migrations.
///
/// Same rules as `RelayMigrations`: only ever appended, never edited once shipped; SQL and
/// the table builder with string names, never record types; no `eraseDatabaseOnSchemaChange`
/// (`myc trust` and the running peer share this file).
///
/// Every string that came from the network or from a person — rooms, names, keys, msg_ids,
/// session ids, inbox text — is a BLOB of its UTF-8 bytes. That gives byte-wise equality
/// and ordering (`"K"` U+212A and `"K"` stay two peers; Swift's `==` would merge them), and
/// keeps an embedded U+0000 (GRDB binds TEXT as a C string, which would cut a hostile
/// msg_id at the NUL and let two ids collide).
enum PeerMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1") { db in
            // TOFU pins (PROTOCOL.md §5.4), one per (room, name). `seq` keeps insertion order
            // explicitly; replacing a pin keeps its position, like the reference's JS object.
            try db.create(table: "pin", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("name", .blob).notNull()
                t.column("key", .blob).notNull()
                t.column("first_seen_ms", .integer).notNull()
                t.column("last_seen_ms", .integer).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "name"])
            }
            try db.create(index: "pin_on_seq", on: "pin", columns: ["seq"])

            // Keys that failed key processing (§5.5), waiting for `myc trust`: the whole
            // keyinfo the relay advertised, so trusting can rebuild the session from it.
            try db.create(table: "blocked_key", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("name", .blob).notNull()
                t.column("sign_pubkey", .blob).notNull()
                t.column("eph_enc_pubkey", .blob).notNull()
                t.column("eph_enc_pubkey_sig", .blob).notNull()
                t.column("session_id", .blob).notNull()
                t.column("reason", .text).notNull()
                t.column("blocked_at_ms", .integer).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "name"])
            }
            try db.create(index: "blocked_key_on_seq", on: "blocked_key", columns: ["seq"])

            // The STS-failed set (§5.8): blocked until `myc trust`.
            try db.create(table: "sts_failed", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("name", .blob).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "name"])
            }
            try db.create(index: "sts_failed_on_seq", on: "sts_failed", columns: ["seq"])

            // The dedup set (§5.10): (room, relay-stamped sender, msg_id) → first seen.
            // `seq` is insertion order, which the cap evicts by.
            try db.create(table: "seen", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("sender", .blob).notNull()
                t.column("msg_id", .blob).notNull()
                t.column("at_ms", .integer).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "sender", "msg_id"])
            }
            try db.create(index: "seen_on_seq", on: "seen", columns: ["seq"])
            try db.create(index: "seen_on_at_ms", on: "seen", columns: ["at_ms"])

            // Sequence windows (§5.10) per (room, sender, session_id). `mask` is the 64-bit
            // bitmap's bit pattern as a signed INTEGER (bit 63 set ⇔ negative).
            try db.create(table: "replay_window", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("sender", .blob).notNull()
                t.column("session_id", .blob).notNull()
                t.column("last", .integer).notNull()
                t.column("mask", .integer).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "sender", "session_id"])
            }
            try db.create(index: "replay_window_on_seq", on: "replay_window", columns: ["seq"])

            // The inbox (§6.5), oldest first by `id`. `meta` is the §6.3 meta object as
            // compact JSON text (key order kept); `content` is the text's UTF-8 bytes.
            try db.create(table: "inbox", options: [.strict]) { t in
                t.primaryKey("id", .integer)
                t.column("ts", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("content", .blob).notNull()
                t.column("meta", .text).notNull()
            }

            // Small facts about the database: the inbox's dropped counter, import markers.
            try db.create(table: "meta", options: [.strict]) { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }

        migrator.registerMigration("v2-durable-outbox") { db in
            // The crash-durable outbox (§5.12 made durable): one row per unacknowledged
            // msg_id, `seq` in send order (kept when a row is replaced). `sealed` is the
            // plaintext sealed to this peer's own identity key, never the text itself.
            try db.create(table: "outbox", options: [.strict]) { t in
                t.primaryKey("msg_id", .blob)
                t.column("room", .blob).notNull()
                t.column("target", .blob).notNull()
                t.column("type", .blob).notNull()
                t.column("request_id", .blob)
                t.column("sealed", .blob).notNull()
                t.column("attempts", .integer).notNull()
                t.column("was_offline", .integer).notNull()
                t.column("session_only", .integer).notNull()
                t.column("created_at_ms", .integer).notNull()
                t.column("armed_at_ms", .integer).notNull()
                t.column("seq", .integer).notNull()
            }
            try db.create(index: "outbox_on_seq", on: "outbox", columns: ["seq"])

            // Received chunk parts (§5.13) waiting for the rest of their message, sealed to
            // this peer's own identity key; `seq` is arrival order.
            try db.create(table: "chunk_part", options: [.strict]) { t in
                t.column("room", .blob).notNull()
                t.column("sender", .blob).notNull()
                t.column("logical_id", .blob).notNull()
                t.column("idx", .integer).notNull()
                t.column("count", .integer).notNull()
                t.column("sealed", .blob).notNull()
                t.column("opened_at_ms", .integer).notNull()
                t.column("seq", .integer).notNull()
                t.primaryKey(["room", "sender", "logical_id", "idx"])
            }
            try db.create(index: "chunk_part_on_seq", on: "chunk_part", columns: ["seq"])
        }

        // Migrations for later versions are appended here ("v3", ...), never inserted above.
        return migrator
    }
}
