# A private Samba smbd for captures, sourced (not run) by samples/make_samples.sh
# and tests/bench/mkreal.sh, so both talk to the same server configuration.
#
# Own smb.conf and passdb/lock/state/cache/pid dirs under $T, SMB1 only
# (server min and max protocol NT1), shares [public] (read-only, $T/share/public)
# and [upload] ($T/share/upload, writable by $SMB_USER); listens on $HOST only,
# ports 445 and 139, inside the network namespace the caller runs it in.
#
# The caller sets, before calling these functions:
#   T         its temp dir (mode 755: smbd's user must traverse to the shares)
#   HOST SMB_USER SMB_PASS SMB_DOMAIN SRV_NAME
#   NSX       array: the command prefix that runs a command in the namespace
#   log, die  functions (a message; a message and exit 1)
# smbd_private_start sets SMBD_PID; smbd_private_stop (for the caller's EXIT
# trap) stops exactly the processes this run's smbd started.

# smbd_install_pkgs PKG...: apt-get install what the caller found missing
# (nothing when none), for a fresh Debian 12 machine
smbd_install_pkgs() {
    [ $# -gt 0 ] || return 0
    log "installing: $*"
    DEBIAN_FRONTEND=noninteractive apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# smbd_private_setup: dirs, the Unix user Samba maps $SMB_USER to, smb.conf,
# the SMB password. Fill $T/share/public afterwards (smbd reads it per request).
smbd_private_setup() {
    mkdir -p "$T"/{private,lock,state,cache,run,bind-dns,log} "$T/share/public" "$T/share/upload"
    if ! id -u "$SMB_USER" >/dev/null 2>&1; then
        log "creating system user $SMB_USER (Samba maps SMB users to Unix users)"
        useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$SMB_USER"
    fi
    chown "$SMB_USER" "$T/share/upload"
    chmod 755 "$T/share" "$T/share/public" "$T/share/upload"

    cat >"$T/smb.conf" <<EOF
[global]
    netbios name = $SRV_NAME
    workgroup = $SMB_DOMAIN
    server string = smbscope sample server
    server role = standalone server
    security = user
    interfaces = $HOST
    bind interfaces only = yes
    smb ports = 445 139
    disable netbios = no
    server min protocol = NT1
    server max protocol = NT1
    # Non-extended-security logons: NTLMv1 and LM need these; NTLMv2 without
    # SPNEGO needs "raw NTLMv2 auth".
    ntlm auth = yes
    lanman auth = yes
    raw NTLMv2 auth = yes
    map to guest = never
    smb1 unix extensions = no
    passdb backend = tdbsam:$T/private/passdb.tdb
    private dir = $T/private
    lock directory = $T/lock
    state directory = $T/state
    cache directory = $T/cache
    pid directory = $T/run
    ncalrpc dir = $T/run/ncalrpc
    binddns dir = $T/bind-dns
    usershare path =
    log file = $T/log/smbd.log
    max log size = 0
    log level = 1
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes

[public]
    path = $T/share/public
    read only = yes
    browseable = yes

[upload]
    path = $T/share/upload
    read only = no
    valid users = $SMB_USER
EOF

    printf '%s\n%s\n' "$SMB_PASS" "$SMB_PASS" |
        smbpasswd -c "$T/smb.conf" -s -a "$SMB_USER" >"$T/log/smbpasswd.log" 2>&1 ||
        { cat "$T/log/smbpasswd.log" >&2; die "smbpasswd failed"; }
}

# smbd_private_start: smbd in the namespace, SMBD_PID its PID; returns once it
# listens on 445 and 139 (dies if it does not).
smbd_private_start() {
    # smbd --foreground --no-process-group stays in its caller's process group,
    # and when it is stopped it signals that whole group.  setsid gives it a
    # session and group of its own (setsid execs in place here, since a
    # background job of a non-interactive shell is not a group leader: $! is
    # smbd's own PID), so that signal cannot reach the caller.
    setsid "${NSX[@]}" smbd --foreground --no-process-group --configfile="$T/smb.conf" \
        </dev/null >"$T/log/smbd.stdout" 2>&1 &
    SMBD_PID=$!
    sleep 0.2
    [ "$(ps -o comm= -p "$SMBD_PID" 2>/dev/null)" = smbd ] ||
        die "pid $SMBD_PID is not smbd: $(ps -o comm= -p "$SMBD_PID")"
    log "smbd pid $SMBD_PID in netns ${NSX[3]}"
    for _ in $(seq 100); do
        kill -0 "$SMBD_PID" 2>/dev/null || { cat "$T/log/"*; die "smbd exited"; }
        if "${NSX[@]}" ss -Hltn "sport = :445" | grep -q . &&
           "${NSX[@]}" ss -Hltn "sport = :139" | grep -q .; then
            break
        fi
        sleep 0.1
    done
    "${NSX[@]}" ss -Hltn "sport = :445" | grep -q . || die "smbd not listening on 445"
}

# smbd_private_stop: nothing when smbd was never started; safe under set +e.
smbd_private_stop() {
    [ -n "${SMBD_PID:-}" ] || return 0
    local kids k
    # smbd's own helpers (smbd-notifyd, smbd-cleanupd, per-connection
    # children): remember their PIDs now, stop the parent, then any of
    # those exact PIDs that outlive it.
    kids=$(pgrep -P "$SMBD_PID" 2>/dev/null | tr '\n' ' ')
    kill -TERM "$SMBD_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SMBD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SMBD_PID" 2>/dev/null
    wait "$SMBD_PID" 2>/dev/null
    for k in $kids; do
        for _ in $(seq 20); do kill -0 "$k" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$k" 2>/dev/null
    done
    # samba-dcerpcd, which smbd starts on demand for a named pipe
    # (pipe-445), detaches from smbd's tree; it and its rpcd_* workers are
    # found by this run's private config path, which only they carry
    for k in $(pgrep -f -- "--configfile=$T/smb.conf" 2>/dev/null); do
        kill -TERM "$k" 2>/dev/null
    done
    SMBD_PID=
}
