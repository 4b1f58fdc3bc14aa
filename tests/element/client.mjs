// Element's own SDK as a test client: matrix-js-sdk with its Rust crypto, as Element Web runs it.
//
// A long-lived child process driven over stdin/stdout with JSON lines (see README.md next to this
// file). Every request is {"id": <n>, "cmd": "<name>", ...args}; every answer is
// {"id": <n>, "ok": true, "result": ...} or {"id": <n>, "ok": false, "error": "..."}. Unprompted
// lines carry "event": a timeline event as the SDK sees it (decrypted content, decryption failure,
// shield), an invite, a to-device message in or out, a dropped key share, a log line.
//
// stdout belongs to the protocol: everything the SDK logs goes to stderr.

import "./node-compat.mjs";

import readline from "node:readline";

import * as sdk from "matrix-js-sdk";
import * as RustSdkCryptoJs from "@matrix-org/matrix-sdk-crypto-wasm";
import {
    AllDevicesIsolationMode,
    CryptoEvent,
    EventShieldColour,
    EventShieldReason,
    OnlySignedDevicesIsolationMode,
} from "matrix-js-sdk/lib/crypto-api/index.js";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";

// ----------------------------------------------------------------------------------- output
function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + "\n");
}

function log(level, ...parts) {
    const text = parts.map((p) => (typeof p === "string" ? p : safeString(p))).join(" ");
    process.stderr.write(`[${new Date().toISOString()}] ${level} ${text}\n`);
}

function safeString(value) {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
        return JSON.stringify(value);
    } catch {
        return String(value);
    }
}

// The SDK and the wasm module log through console.* and loglevel: keep stdout clean.
// Debug lines only with ELEMENT_CLIENT_DEBUG=1 (they are many).
const DEBUG = process.env.ELEMENT_CLIENT_DEBUG === "1";
for (const name of ["log", "info", "debug", "warn", "error", "trace"]) {
    const quiet = !DEBUG && (name === "debug" || name === "trace");
    console[name] = quiet ? () => {} : (...args) => log(name.toUpperCase(), ...args);
}
sdkLogger.setLevel(DEBUG ? "debug" : "info");

// ----------------------------------------------------------------------------------- state
const state = {
    client: null,
    crypto: null,
    password: null,
    userId: null,
    deviceId: null,
    autoJoin: true,
    isolationMode: null,
    blocked: new Set(), // "user|device" blocked with set_blocked
    modeBeforeBlock: null,
    // Outgoing to-device key shares to drop: [{userId, remaining, room}]
    dropOutgoing: [],
    // Incoming encrypted to-device messages to drop, by sender: Map<userId, remaining|Infinity>
    dropIncoming: new Map(),
    reported: new WeakMap(), // MatrixEvent -> listener installed
};

function requireClient() {
    if (!state.client) throw new Error("not logged in: send 'login' first");
    return state.client;
}

function requireCrypto() {
    const crypto = requireClient().getCrypto();
    if (!crypto) throw new Error("crypto not initialised");
    return crypto;
}

// ----------------------------------------------------------------------------------- HTTP hook
// A fetch wrapper: sees (and for the drop switches, edits) what the SDK sends and receives.
function urlOf(input) {
    if (typeof input === "string") return input;
    if (input instanceof URL) return input.toString();
    return input?.url ?? String(input);
}

async function hookedFetch(input, init = {}) {
    const url = urlOf(input);
    const path = new URL(url).pathname;
    const toDevice = path.match(/\/sendToDevice\/([^/]+)\/([^/]+)$/);
    if (toDevice && init.body && typeof init.body === "string") {
        const type = decodeURIComponent(toDevice[1]);
        let body;
        try {
            body = JSON.parse(init.body);
        } catch {
            body = null;
        }
        if (body && body.messages) {
            if (type === "m.room.encrypted") {
                const dropped = dropOutgoingShares(body.messages);
                if (dropped.length) init = { ...init, body: JSON.stringify(body) };
                for (const d of dropped) emit({ event: "key_share_dropped", direction: "out", ...d });
            }
            emit({ event: "to_device_out", type, recipients: summariseRecipients(type, body.messages) });
        }
    }
    const response = await globalThis.fetch(input, init);
    if (path.endsWith("/sync") && state.dropIncoming.size && response.ok) {
        const data = await response.json();
        const events = data?.to_device?.events;
        if (Array.isArray(events)) {
            data.to_device.events = events.filter((ev) => {
                const left = state.dropIncoming.get(ev.sender);
                if (ev.type !== "m.room.encrypted" || left === undefined || left <= 0) return true;
                state.dropIncoming.set(ev.sender, left - 1);
                emit({ event: "key_share_dropped", direction: "in", sender: ev.sender,
                       sender_key: ev.content?.sender_key ?? null });
                return false;
            });
        }
        return new Response(JSON.stringify(data), {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
        });
    }
    return response;
}

function dropOutgoingShares(messages) {
    const dropped = [];
    for (const rule of state.dropOutgoing) {
        if (rule.remaining <= 0) continue;
        const devices = messages[rule.userId];
        if (!devices) continue;
        const ids = Object.keys(devices);
        delete messages[rule.userId];
        rule.remaining -= 1;
        dropped.push({ user_id: rule.userId, devices: ids, room_id: rule.room ?? null });
    }
    state.dropOutgoing = state.dropOutgoing.filter((r) => r.remaining > 0);
    return dropped;
}

function summariseRecipients(type, messages) {
    const out = [];
    for (const [userId, devices] of Object.entries(messages)) {
        for (const [deviceId, content] of Object.entries(devices || {})) {
            const item = { user_id: userId, device_id: deviceId };
            if (type === "m.room_key.withheld") {
                Object.assign(item, { code: content.code, reason: content.reason ?? null,
                                      room_id: content.room_id ?? null, session_id: content.session_id ?? null });
            }
            out.push(item);
        }
    }
    return out;
}

// ----------------------------------------------------------------------------------- events
function enumName(enumObj, value) {
    if (value === null || value === undefined) return null;
    const name = enumObj[value];
    return typeof name === "string" ? name : String(value);
}

async function describe(event) {
    const wire = event.getWireContent() || {};
    const encrypted = event.isEncrypted();
    const content = { ...(event.getContent() || {}) };
    if (!content["m.relates_to"] && wire["m.relates_to"]) content["m.relates_to"] = wire["m.relates_to"];
    const failed = event.isDecryptionFailure();
    let shield = null;
    let shieldReason = null;
    if (encrypted && !failed && state.crypto) {
        try {
            const info = await state.crypto.getEncryptionInfoForEvent(event);
            if (info) {
                shield = enumName(EventShieldColour, info.shieldColour);
                shieldReason = enumName(EventShieldReason, info.shieldReason);
            }
        } catch (err) {
            shieldReason = `error: ${err.message}`;
        }
    }
    return {
        event: "timeline",
        event_id: event.getId(),
        room_id: event.getRoomId(),
        sender: event.getSender(),
        type: event.getType(),
        wire_type: event.getWireType(),
        state_key: event.getStateKey() ?? null,
        origin_server_ts: event.getTs(),
        encrypted,
        decrypted: encrypted && !failed && event.getClearContent() !== null,
        decryption_failure: failed ? (event.decryptionFailureReason ?? "UNKNOWN_ERROR") : null,
        content,
        shield,
        shield_reason: shieldReason,
        sender_device: encrypted ? (wire.device_id ?? null) : null,
    };
}

function report(event) {
    describe(event)
        .then(emit)
        .catch((err) => log("ERROR", "describe failed", err));
}

function watchEvent(event) {
    if (!event.getRoomId() || !event.getId()) return;
    if (event.isEncrypted() && !state.reported.has(event)) {
        // Fires on every (re)decryption: a key that arrives late updates the event.
        const listener = () => report(event);
        state.reported.set(event, listener);
        event.on(sdk.MatrixEventEvent.Decrypted, listener);
        if (event.isBeingDecrypted()) return;
        if (event.getClearContent() === null && !event.isDecryptionFailure()) {
            state.client.decryptEventIfNeeded(event).catch(() => {});
            return;
        }
    }
    report(event);
}

// ----------------------------------------------------------------------------------- commands
async function login({ base_url, user, password, device_name = "Element (test)" }) {
    if (state.client) throw new Error("already logged in");
    const tmp = sdk.createClient({ baseUrl: base_url, fetchFn: hookedFetch });
    const resp = await tmp.loginRequest({
        type: "m.login.password",
        identifier: { type: "m.id.user", user },
        password,
        initial_device_display_name: device_name,
    });
    state.password = password;
    state.userId = resp.user_id;
    state.deviceId = resp.device_id;
    const client = sdk.createClient({
        baseUrl: base_url,
        userId: resp.user_id,
        deviceId: resp.device_id,
        accessToken: resp.access_token,
        fetchFn: hookedFetch,
        timelineSupport: true,
        // As Element Web: local echoes apart from the timeline (required for sending in threads).
        pendingEventOrdering: sdk.PendingEventOrdering.Detached,
        cryptoCallbacks: {},
    });
    state.client = client;
    await client.initRustCrypto({ useIndexedDB: false });
    state.crypto = client.getCrypto();
    installListeners(client);
    return { user_id: resp.user_id, device_id: resp.device_id, access_token: resp.access_token };
}

function installListeners(client) {
    client.on(sdk.ClientEvent.Event, (event) => {
        if (event.getRoomId()) watchEvent(event);
    });
    client.on(sdk.RoomMemberEvent.Membership, (event, member) => {
        if (member.userId !== state.userId || member.membership !== "invite") return;
        const content = event.getContent() || {};
        emit({ event: "invite", room_id: member.roomId, sender: event.getSender(), is_direct: !!content.is_direct });
        if (state.autoJoin) {
            client.joinRoom(member.roomId).then(
                () => emit({ event: "joined", room_id: member.roomId }),
                (err) => emit({ event: "log", level: "error", message: `join ${member.roomId} failed: ${err.message}` }),
            );
        }
    });
    client.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
        const content = event.getContent() || {};
        const item = { event: "to_device_in", type: event.getType(), sender: event.getSender(),
                       encrypted: event.isEncrypted() };
        // Never echo key material: only the fields that say what the message is about.
        for (const key of ["action", "requesting_device_id", "request_id", "code", "reason", "room_id",
                           "session_id", "algorithm"]) {
            if (content[key] !== undefined) item[key] = content[key];
        }
        if (content.body && typeof content.body === "object") {
            for (const key of ["room_id", "session_id", "sender_key"]) {
                if (content.body[key] !== undefined) item[`body_${key}`] = content.body[key];
            }
        }
        emit(item);
    });
    client.on(CryptoEvent.KeysChanged, () => emit({ event: "keys_changed" }));
}

async function bootstrapCrossSigning({ key_backup = true } = {}) {
    const crypto = requireCrypto();
    let uiaRounds = 0;
    await crypto.bootstrapCrossSigning({
        // As Element does on first login: try without auth, then the password stage of the UIA flow.
        authUploadDeviceSigningKeys: async (makeRequest) => {
            try {
                await makeRequest(null);
                return;
            } catch (err) {
                const data = err?.data;
                if (err?.httpStatus !== 401 || !data?.flows) throw err;
                uiaRounds += 1;
                await makeRequest({
                    type: "m.login.password",
                    identifier: { type: "m.id.user", user: state.userId },
                    password: state.password,
                    session: data.session,
                });
            }
        },
    });
    if (key_backup && !(await crypto.getKeyBackupInfo())) {
        await crypto.resetKeyBackup();
    }
    return { ...(await cryptoStatus()), uia_rounds: uiaRounds };
}

async function cryptoStatus() {
    const crypto = requireCrypto();
    const own = await crypto.getDeviceVerificationStatus(state.userId, state.deviceId);
    const mode = state.isolationMode;
    return {
        user_id: state.userId,
        device_id: state.deviceId,
        cross_signing_ready: await crypto.isCrossSigningReady(),
        own_device: verificationJson(own),
        isolation_mode: mode ?? "AllDevicesIsolationMode (SDK default)",
        global_blacklist_unverified: crypto.globalBlacklistUnverifiedDevices,
        key_backup_version: (await crypto.getActiveSessionBackupVersion()) ?? null,
    };
}

function verificationJson(status) {
    if (!status) return null;
    return {
        signed_by_owner: status.signedByOwner,
        cross_signing_verified: status.crossSigningVerified,
        locally_verified: status.localVerified,
        verified: status.isVerified(),
    };
}

function setIsolation({ mode, error_on_verified_user_problems = true }) {
    const crypto = requireCrypto();
    if (mode === "only_signed" || mode === "OnlySignedDevicesIsolationMode") {
        crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
        state.isolationMode = "OnlySignedDevicesIsolationMode";
    } else if (mode === "all" || mode === "AllDevicesIsolationMode") {
        crypto.setDeviceIsolationMode(new AllDevicesIsolationMode(error_on_verified_user_problems));
        state.isolationMode = "AllDevicesIsolationMode";
    } else {
        throw new Error(`unknown isolation mode ${mode}`);
    }
    return { mode };
}

async function start({ auto_join = true, timeout_ms = 60000 } = {}) {
    const client = requireClient();
    state.autoJoin = auto_join;
    const prepared = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("first sync did not finish in time")), timeout_ms);
        const onSync = (syncState) => {
            if (syncState === sdk.SyncState.Prepared || syncState === sdk.SyncState.Syncing) {
                clearTimeout(timer);
                client.off(sdk.ClientEvent.Sync, onSync);
                resolve();
            } else if (syncState === sdk.SyncState.Error) {
                log("WARN", "sync error; the SDK retries");
            }
        };
        client.on(sdk.ClientEvent.Sync, onSync);
    });
    await client.startClient({ initialSyncLimit: 30, lazyLoadMembers: true, threadSupport: true });
    await prepared;
    // Join what we were invited to before the first sync.
    if (auto_join) {
        for (const room of client.getRooms()) {
            if (room.getMyMembership() === "invite") await client.joinRoom(room.roomId);
        }
    }
    return { rooms: client.getRooms().map((r) => ({ room_id: r.roomId, membership: r.getMyMembership() })) };
}

async function waitForRoom(roomId, timeoutMs = 30000) {
    const client = requireClient();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const room = client.getRoom(roomId);
        if (room && room.getMyMembership() === "join") return room;
        if (Date.now() > deadline) throw new Error(`room ${roomId} not joined after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function join({ room_id }) {
    const client = requireClient();
    const room = client.getRoom(room_id);
    if (!room || room.getMyMembership() !== "join") await client.joinRoom(room_id);
    await waitForRoom(room_id);
    return { room_id, encrypted: await requireCrypto().isEncryptionEnabledInRoom(room_id) };
}

async function send({ room_id, body, html = null, thread_root = null, reply_to = null, msgtype = "m.text" }) {
    const client = requireClient();
    await waitForRoom(room_id);
    const content = { msgtype, body };
    if (html !== null) {
        content.format = "org.matrix.custom.html";
        content.formatted_body = html;
    }
    if (thread_root) {
        // As Element sends a message in a thread: the relation plus the reply fallback.
        content["m.relates_to"] = {
            rel_type: "m.thread",
            event_id: thread_root,
            is_falling_back: !reply_to,
            "m.in_reply_to": { event_id: reply_to || thread_root },
        };
    } else if (reply_to) {
        content["m.relates_to"] = { "m.in_reply_to": { event_id: reply_to } };
    }
    const started = Date.now();
    const txnId = client.makeTxnId();
    try {
        const resp = await client.sendEvent(room_id, thread_root ?? null, "m.room.message", content, txnId);
        return { event_id: resp.event_id, ms: Date.now() - started };
    } catch (err) {
        // A race in the SDK, seen on a busy machine: when /sync brings a threaded message back before
        // /send has answered, the SDK has already swapped its local echo for the remote one and then
        // throws on that local echo. The message was sent (as Element shows it): find it by our txn id.
        if (!String(err?.message).includes("not a local echo")) throw err;
        const echoed = sentWithTxn(room_id, txnId);
        if (!echoed) throw err;
        return { event_id: echoed, ms: Date.now() - started };
    }
}

function sentWithTxn(roomId, txnId) {
    const room = requireClient().getRoom(roomId);
    if (!room) return null;
    const timelines = [room.getLiveTimeline(), ...room.getThreads().map((thread) => thread.liveTimeline)];
    for (const timeline of timelines) {
        const found = timeline.getEvents().find((event) => event.getUnsigned().transaction_id === txnId);
        if (found && !found.getId().startsWith("~")) return found.getId();
    }
    return null;
}

function dropRoomKeys({ user_id, count = 1, room_id = null }) {
    state.dropOutgoing.push({ userId: user_id, remaining: count, room: room_id });
    return { armed: state.dropOutgoing.length };
}

async function dropNextRoomKeyShare({ room_id, user_id }) {
    // A fresh Megolm session for the next message, so that a key share goes out with it; the
    // share to ``user_id``'s devices is then dropped on the way out.
    await requireCrypto().forceDiscardSession(room_id);
    return dropRoomKeys({ user_id, count: 1, room_id });
}

function dropIncoming({ sender, count = null }) {
    state.dropIncoming.set(sender, count === null ? Infinity : count);
    return { sender };
}

function stopDropping() {
    state.dropOutgoing = [];
    state.dropIncoming.clear();
    return {};
}

async function getDevice(userId, deviceId) {
    const crypto = requireCrypto();
    // The device list of the other user may not be downloaded yet.
    const info = await crypto.getUserDeviceInfo([userId], true);
    const devices = info.get(userId) || new Map();
    return deviceId ? devices.get(deviceId) : [...devices.values()];
}

async function deviceStatus({ user_id, device_id = null }) {
    const crypto = requireCrypto();
    const devices = device_id ? [await getDevice(user_id, device_id)].filter(Boolean) : await getDevice(user_id);
    const out = [];
    for (const d of devices) {
        out.push({ device_id: d.deviceId, display_name: d.displayName ?? null,
                   ...verificationJson(await crypto.getDeviceVerificationStatus(user_id, d.deviceId)) });
    }
    return {
        user_id,
        has_cross_signing_keys: await crypto.userHasCrossSigningKeys(user_id, true),
        devices: out,
    };
}

// Withhold room keys from a user's devices although they may be cross-signed: the device is
// marked blacklisted in the Rust store (Element's "block" of a session). The Rust SDK honours a
// blacklist only in its device-based sharing strategy (AllDevicesIsolationMode): in
// OnlySignedDevicesIsolationMode it shares with every cross-signed device, blacklisted or not. So
// while a block is on, messages are encrypted in AllDevicesIsolationMode (keys go out as before,
// except to the blocked devices, which get m.room_key.withheld with code m.blacklisted); lifting
// the last block restores the isolation mode that was set. ``room_id`` discards the room's current
// Megolm session, so the next message goes out on a session the blocked device never gets.
async function setBlocked({ user_id, device_id = null, blocked = true, room_id = null }) {
    const crypto = requireCrypto();
    const olm = crypto.olmMachine ?? crypto.getOlmMachineOrThrow?.();
    if (!olm) throw new Error("no OlmMachine: this matrix-js-sdk keeps it elsewhere");
    const ids = device_id ? [device_id] : (await getDevice(user_id)).map((d) => d.deviceId);
    if (device_id) await getDevice(user_id, device_id);
    const trust = blocked ? RustSdkCryptoJs.LocalTrust.BlackListed : RustSdkCryptoJs.LocalTrust.Unset;
    const changed = [];
    for (const id of ids) {
        const device = await olm.getDevice(new RustSdkCryptoJs.UserId(user_id), new RustSdkCryptoJs.DeviceId(id), 10);
        if (!device) continue;
        try {
            await device.setLocalTrust(trust);
            changed.push({ device_id: id, blacklisted: device.isBlacklisted?.() ?? null });
            const key = `${user_id}|${id}`;
            if (blocked) state.blocked.add(key);
            else state.blocked.delete(key);
        } finally {
            device.free();
        }
    }
    if (state.blocked.size && !state.modeBeforeBlock) {
        state.modeBeforeBlock = state.isolationMode ?? "AllDevicesIsolationMode";
        crypto.setDeviceIsolationMode(new AllDevicesIsolationMode(false));
        state.isolationMode = "AllDevicesIsolationMode (while blocking)";
    } else if (!state.blocked.size && state.modeBeforeBlock) {
        const mode = state.modeBeforeBlock;
        state.modeBeforeBlock = null;
        setIsolation({ mode });
    }
    if (room_id) await crypto.forceDiscardSession(room_id);
    return { devices: changed, isolation_mode: state.isolationMode };
}

function setBlacklistUnverified({ enabled = true }) {
    requireCrypto().globalBlacklistUnverifiedDevices = !!enabled;
    return { enabled: !!enabled };
}

async function discardSession({ room_id }) {
    await requireCrypto().forceDiscardSession(room_id);
    return {};
}

async function roomEvents({ room_id }) {
    const client = requireClient();
    const room = client.getRoom(room_id);
    if (!room) return { events: [] };
    const events = [...room.getLiveTimeline().getEvents()];
    for (const thread of room.getThreads()) events.push(...thread.liveTimeline.getEvents());
    return { events: await Promise.all(events.map(describe)) };
}

async function stop() {
    if (state.client) {
        state.client.stopClient();
        try {
            await state.client.logout(true);
        } catch {
            // The homeserver may be gone already.
        }
    }
    return {};
}

const COMMANDS = {
    ping: async () => ({ pong: true, node: process.version }),
    login,
    bootstrap_cross_signing: bootstrapCrossSigning,
    crypto_status: cryptoStatus,
    set_isolation: setIsolation,
    start,
    join,
    send,
    drop_room_keys: dropRoomKeys,
    drop_next_room_key_share: dropNextRoomKeyShare,
    drop_incoming: dropIncoming,
    stop_dropping: stopDropping,
    device_status: deviceStatus,
    set_blocked: setBlocked,
    set_blacklist_unverified: setBlacklistUnverified,
    discard_session: discardSession,
    room_events: roomEvents,
    stop,
};

// ----------------------------------------------------------------------------------- main loop
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
    if (!line.trim()) return;
    let msg;
    try {
        msg = JSON.parse(line);
    } catch (err) {
        emit({ id: null, ok: false, error: `bad JSON: ${err.message}` });
        return;
    }
    const handler = COMMANDS[msg.cmd];
    if (!handler) {
        emit({ id: msg.id ?? null, ok: false, error: `unknown command ${msg.cmd}` });
        return;
    }
    const { id, cmd, ...args } = msg;
    Promise.resolve()
        .then(() => handler(args))
        .then(
            (result) => {
                emit({ id, ok: true, result: result ?? {} });
                if (cmd === "stop") setTimeout(() => process.exit(0), 50);
            },
            (err) => {
                log("ERROR", `${cmd} failed`, err?.stack || err);
                emit({ id, ok: false, error: `${err?.name || "Error"}: ${err?.message || err}`,
                       http_status: err?.httpStatus ?? null, errcode: err?.errcode ?? null });
            },
        );
});
rl.on("close", () => {
    if (state.client) state.client.stopClient();
    process.exit(0);
});
process.on("unhandledRejection", (err) => log("ERROR", "unhandled rejection", err?.stack || err));
emit({ event: "ready", node: process.version });
