/// Admin operations (PROTOCOL.md §4.9, §4.11.6) and allow-list changes made by another
/// process (`myc allow`) while the relay runs.
extension RelayCore {
    /// `POST /admin/revoke` (the edge has authorized the caller and parsed the body with
    /// `RevokeRequest.parse`). On revoke, every live connection in `room` that uses the
    /// revoked key gets `evicted "revoked"` and close 4022.
    public mutating func revoke(
        room: String, name: String?, pubkey: String?, undo: Bool, nowMs: Int64
    ) -> (result: RevokeResult, actions: [RelayAction]) {
        var actions: [RelayAction] = []
        if undo {
            let outcome = allowList.undoRevocation(room: room, pubkey: pubkey)
            if !outcome.changes.isEmpty { actions.append(.persist(outcome.changes)) }
            actions.append(.log(RelayLogEvent(.notice, "revocation undone", [
                "room": room, "revoked": String(outcome.revoked),
            ])))
            return (RevokeResult(revoked: outcome.revoked, disconnected: false), actions)
        }
        let outcome = allowList.revoke(room: room, name: name, pubkey: pubkey)
        if !outcome.changes.isEmpty { actions.append(.persist(outcome.changes)) }
        var disconnected = false
        if outcome.revoked, let key = outcome.key {
            for member in rooms.members(of: ExactString(room)) where member.keyInfo.signPublicKey.isExactly(key) {
                evict(member.connection, reason: .revoked, code: .revoked, into: &actions)
                disconnected = true
            }
        }
        var metadata = ["room": room, "revoked": String(outcome.revoked), "disconnected": String(disconnected)]
        if let revokedName = outcome.revokedName { metadata["peer.name"] = revokedName }
        if let key = outcome.key, let fp = try? SigningPublicKey(base64: key).fingerprint { metadata["peer.fp"] = fp.text }
        actions.append(.log(RelayLogEvent(.notice, "key revoked", metadata)))
        return (RevokeResult(revoked: outcome.revoked, disconnected: disconnected), actions)
    }

    /// Another process changed the stored allow-list: adopt it, and evict (`evicted
    /// "revoked"`, close 4022) every live connection whose key is now revoked in one of
    /// its rooms.
    public mutating func reloadAllowList(_ snapshot: AllowListSnapshot, nowMs: Int64) -> [RelayAction] {
        allowList = AllowList(snapshot: snapshot)
        var actions: [RelayAction] = [.log(RelayLogEvent(.info, "allow-list reloaded", [
            "bindings": String(snapshot.bindings.count), "revoked": String(snapshot.revoked.count),
        ]))]
        guard phase == .running else { return actions }
        for id in authenticatedIDs {
            guard case .authenticated(let session)? = connections[id] else { continue }
            let key = ExactString(session.keyInfo.signPublicKey)
            if session.rooms.contains(where: { allowList.isRevoked(key, in: $0) }) {
                evict(id, reason: .revoked, code: .revoked, into: &actions)
            }
        }
        return actions
    }
}
