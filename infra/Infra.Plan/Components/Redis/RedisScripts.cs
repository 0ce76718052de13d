namespace Infra.Plan.Components.Redis;

/// <summary>
/// The POSIX sh scripts the pods run (valkey/redis images ship /bin/sh, sed, sort, timeout). Every value
/// the scripts use comes from an environment variable whose default is the pod layout, so the real-server
/// tests run these exact scripts on 127.0.0.x with other ports and paths.
/// </summary>
public static class RedisScripts
{
    public const string Common = "common.sh";
    public const string RedisStart = "redis-start.sh";
    public const string SentinelStart = "sentinel-start.sh";
    public const string PreStop = "prestop.sh";
    public const string Probe = "probe.sh";

    /// <summary>The environment variables the scripts read (all optional except POD_NAME in a pod).</summary>
    public static readonly IReadOnlyList<string> Variables =
    [
        "POD_NAME", "SELF_HOST", "PEER_HOSTS", "BIND_ADDRESS", "REDIS_PORT", "SENTINEL_PORT", "TEMPLATE_DIR",
        "CONF_DIR", "DATA_DIR", "SENTINEL_DIR", "TLS_DIR", "REDIS_PASSWORD_FILE", "SENTINEL_PASSWORD_FILE",
        "SERVER_BIN", "SENTINEL_BIN", "CLI_BIN", "CLI_TIMEOUT", "MASTER_WAIT_SECONDS", "PRESTOP_WAIT_SECONDS", "PRESTOP_SETTLE_SECONDS", "RESOLVE_WAIT_SECONDS", "SENTINEL_ROUNDS", "PROBE_HOST",
    ];

    public static string CommonSh(RedisLayout l) => $$"""
        # common.sh (matrix-rtc): sourced by the other scripts. Defaults are the pod layout; the real-server
        # tests override them through the environment to run the same scripts on 127.0.0.x.
        set -eu
        set -f  # no globbing: BIND_ADDRESS holds '*'
        MASTER_NAME="{{RedisLayout.MasterName}}"
        DOWN_AFTER_MS={{l.DownAfterMilliseconds}}
        FAILOVER_TIMEOUT_MS={{l.FailoverTimeoutMilliseconds}}
        REDIS_PORT="${REDIS_PORT:-{{RedisLayout.RedisPort}}}"
        SENTINEL_PORT="${SENTINEL_PORT:-{{RedisLayout.SentinelPort}}}"
        # Every data node's stable name, in ordinal order (the first is the master of a brand-new cluster).
        PEER_HOSTS="${PEER_HOSTS:-{{string.Join(" ", l.PodHosts)}}}"
        if [ -z "${SELF_HOST:-}" ]; then
          SELF_HOST="${POD_NAME:?POD_NAME or SELF_HOST must be set}{{l.HostSuffix}}"
        fi
        BIND_ADDRESS="${BIND_ADDRESS:-* -::*}"
        TEMPLATE_DIR="${TEMPLATE_DIR:-{{RedisLayout.ScriptDir}}}"
        CONF_DIR="${CONF_DIR:-{{RedisLayout.ConfDir}}}"
        DATA_DIR="${DATA_DIR:-{{RedisLayout.DataDir}}}"
        SENTINEL_DIR="${SENTINEL_DIR:-{{RedisLayout.SentinelDir}}}"
        TLS_DIR="${TLS_DIR:-{{RedisLayout.TlsDir}}}"
        REDIS_PASSWORD_FILE="${REDIS_PASSWORD_FILE:-{{RedisLayout.AuthDir}}/{{RedisLayout.RedisPasswordKey}}}"
        SENTINEL_PASSWORD_FILE="${SENTINEL_PASSWORD_FILE:-{{RedisLayout.AuthDir}}/{{RedisLayout.SentinelPasswordKey}}}"
        SERVER_BIN="${SERVER_BIN:-{{l.ServerBinary}}}"
        SENTINEL_BIN="${SENTINEL_BIN:-{{l.SentinelBinary}}}"
        CLI_BIN="${CLI_BIN:-{{l.CliBinary}}}"
        CLI_TIMEOUT="${CLI_TIMEOUT:-2}"
        MASTER_WAIT_SECONDS="${MASTER_WAIT_SECONDS:-{{l.MasterWaitSeconds}}}"
        PRESTOP_WAIT_SECONDS="${PRESTOP_WAIT_SECONDS:-{{RedisLayout.PreStopWaitSeconds}}}"
        PRESTOP_SETTLE_SECONDS="${PRESTOP_SETTLE_SECONDS:-{{RedisLayout.PreStopSettleSeconds}}}"
        RESOLVE_WAIT_SECONDS="${RESOLVE_WAIT_SECONDS:-30}"
        SENTINEL_ROUNDS="${SENTINEL_ROUNDS:-3}"
        TLS_ARGS="{{(l.Tls ? "--tls --cacert $TLS_DIR/ca.crt" : "")}}"
        SCRIPT_NAME="${0##*/}"

        log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$SCRIPT_NAME" "$*" >&2; }

        # read_secret FILE: the password without its trailing newline. Passwords are written into config
        # files, so anything but [A-Za-z0-9._+-] is refused (the generated ones are alphanumeric).
        read_secret() {
          if [ ! -r "$1" ]; then log "cannot read $1"; exit 1; fi
          _secret=$(tr -d '\r\n' < "$1")
          case "$_secret" in
            '' | *[!A-Za-z0-9._+-]*) log "$1: the password must be non-empty and use only A-Z a-z 0-9 . _ + -"; exit 1 ;;
          esac
          printf '%s' "$_secret"
        }

        # cli PASSWORD HOST PORT COMMAND...: one command, bounded in time; the password travels in the
        # environment (REDISCLI_AUTH, VALKEYCLI_AUTH), never on the command line where ps shows it.
        cli() {
          _pw="$1"; _host="$2"; _port="$3"; shift 3
          # shellcheck disable=SC2086 # TLS_ARGS is a word list
          REDISCLI_AUTH="$_pw" VALKEYCLI_AUTH="$_pw" timeout "$CLI_TIMEOUT" "$CLI_BIN" $TLS_ARGS -h "$_host" -p "$_port" --raw "$@" 2>/dev/null
        }

        # sentinel_master [SKIP_HOST]: the master host named by the most sentinels that answer (empty when
        # none does). SKIP_HOST's sentinel is not asked (a starting sentinel skips itself).
        sentinel_master() {
          _answers=""
          for _h in $PEER_HOSTS; do
            [ "$_h" = "${1:-}" ] && continue
            _out=$(cli "$SENTINEL_PASSWORD" "$_h" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME") || continue
            _mh=$(printf '%s\n' "$_out" | sed -n 1p)
            _mp=$(printf '%s\n' "$_out" | sed -n 2p)
            case "$_mp" in '' | *[!0-9]*) continue ;; esac
            _answers="$_answers$_mh
        "
          done
          printf '%s' "$_answers" | sed '/^$/d' | sort | uniq -c | sort -rn | sed -n '1s/^ *[0-9]* //p'
        }

        # sentinels_all_name HOST: every answering sentinel names HOST as the master (hello messages spread a
        # failover to the other sentinels within a second or two; until then clients may be told either).
        sentinels_all_name() {
          for _h in $PEER_HOSTS; do
            _out=$(cli "$SENTINEL_PASSWORD" "$_h" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME") || continue
            [ -z "$_out" ] && continue
            [ "$(printf '%s\n' "$_out" | sed -n 1p)" = "$1" ] || return 1
          done
          return 0
        }

        # sentinel_known_replicas: how many replicas the first answering sentinel knows (0 when none answers).
        sentinel_known_replicas() {
          for _h in $PEER_HOSTS; do
            _n=$(cli "$SENTINEL_PASSWORD" "$_h" "$SENTINEL_PORT" SENTINEL master "$MASTER_NAME" | sed -n '/^num-slaves$/{n;p;}') || continue
            case "$_n" in '' | *[!0-9]*) continue ;; esac
            printf '%s' "$_n"
            return 0
          done
          printf '0'
        }

        # sentinels_settled: no answering sentinel still sees a replica reporting the master role. Right after a
        # failover a sentinel may hold a stale "master" role for a demoted node (it polls replicas every 10 s);
        # promoting that node then makes the stale sentinel turn it straight back into a replica.
        sentinels_settled() {
          for _h in $PEER_HOSTS; do
            _roles=$(cli "$SENTINEL_PASSWORD" "$_h" "$SENTINEL_PORT" SENTINEL replicas "$MASTER_NAME" | sed -n '/^role-reported$/{n;p;}') || continue
            if printf '%s\n' "$_roles" | grep -qx master; then return 1; fi
          done
          return 0
        }

        # data_role HOST: "master", "slave" or empty when the data node does not answer.
        data_role() {
          cli "$REDIS_PASSWORD" "$1" "$REDIS_PORT" INFO replication | tr -d '\r' | sed -n 's/^role://p' || true
        }

        # fill TEMPLATE MASTER_HOST: the template with its @...@ values; fails if one is left.
        fill() {
          _filled=$(sed -e "s|@BIND_ADDRESS@|$BIND_ADDRESS|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
            -e "s|@SENTINEL_PORT@|$SENTINEL_PORT|g" -e "s|@SELF_HOST@|$SELF_HOST|g" -e "s|@DATA_DIR@|$DATA_DIR|g" \
            -e "s|@SENTINEL_DIR@|$SENTINEL_DIR|g" -e "s|@TLS_DIR@|$TLS_DIR|g" -e "s|@MASTER_HOST@|$2|g" "$1")
          if printf '%s\n' "$_filled" | grep -q '@[A-Z_]*@'; then log "$1: unfilled placeholder"; exit 1; fi
          printf '%s\n' "$_filled"
        }

        """;

    public static string RedisStartSh(RedisLayout l) => $$"""
        #!/bin/sh
        # redis-start.sh (matrix-rtc): picks this data node's role, then execs the server.
        # The sentinels decide who is master; this pod only asks them, so pods starting together or a node
        # coming back after a reboot never make a second master.
        . "$(dirname "$0")/{{Common}}"
        REDIS_PASSWORD=$(read_secret "$REDIS_PASSWORD_FILE")
        SENTINEL_PASSWORD=$(read_secret "$SENTINEL_PASSWORD_FILE")

        choose_master() {
          # A busy or just-starting sentinel may miss one round: ask a few times before concluding that no
          # sentinel is up (the fallbacks below are only right when none is).
          _m=""
          _round=0
          while [ -z "$_m" ] && [ "$_round" -lt "$SENTINEL_ROUNDS" ]; do
            [ "$_round" -gt 0 ] && sleep 1
            _round=$((_round + 1))
            _m=$(sentinel_master)
          done
          if [ -n "$_m" ] && [ "$_m" != "$SELF_HOST" ]; then
            log "the sentinels name $_m as master"
            printf '%s' "$_m"; return 0
          fi
          if [ "$_m" = "$SELF_HOST" ]; then
            # The sentinels still name this node, which is just starting with no data. Serving as master now
            # would make every replica resync from an empty data set: let them promote a replica instead.
            # If they know no replica (a brand-new cluster), there is nothing to promote: be the master.
            if [ "$(sentinel_known_replicas)" -gt 0 ]; then
              log "the sentinels still name this node as master; waiting up to ${MASTER_WAIT_SECONDS}s for them to promote a replica"
              _i=0
              while [ "$_i" -lt "$MASTER_WAIT_SECONDS" ]; do
                sleep 1
                _i=$((_i + 1))
                _m=$(sentinel_master)
                if [ -n "$_m" ] && [ "$_m" != "$SELF_HOST" ]; then
                  log "the sentinels promoted $_m"
                  printf '%s' "$_m"; return 0
                fi
              done
              log "no failover within ${MASTER_WAIT_SECONDS}s: starting as master"
            fi
            printf '%s' "$SELF_HOST"; return 0
          fi
          # No sentinel answers (the whole cluster is starting): follow a data node that already is master.
          for _h in $PEER_HOSTS; do
            [ "$_h" = "$SELF_HOST" ] && continue
            if [ "$(data_role "$_h")" = "master" ]; then
              log "no sentinel answers; $_h is master"
              printf '%s' "$_h"; return 0
            fi
          done
          # Nobody knows: the first data node is the master of a new cluster, the same answer on every pod.
          set -- $PEER_HOSTS
          log "no sentinel or master answers; $1 is the first data node"
          printf '%s' "$1"
        }

        MASTER=$(choose_master)
        mkdir -p "$CONF_DIR"
        umask 077
        {
          fill "$TEMPLATE_DIR/redis.conf" "$MASTER"
          printf 'requirepass "%s"\n' "$REDIS_PASSWORD"
          printf 'masterauth "%s"\n' "$REDIS_PASSWORD"
          if [ "$MASTER" != "$SELF_HOST" ]; then
            printf 'replicaof %s %s\n' "$MASTER" "$REDIS_PORT"
          fi
        } > "$CONF_DIR/redis.conf.new"
        mv "$CONF_DIR/redis.conf.new" "$CONF_DIR/redis.conf"
        if [ "$MASTER" = "$SELF_HOST" ]; then log "starting as master"; else log "starting as replica of $MASTER"; fi
        exec "$SERVER_BIN" "$CONF_DIR/redis.conf"

        """;

    public static string SentinelStartSh(RedisLayout l) => $$"""
        #!/bin/sh
        # sentinel-start.sh (matrix-rtc): writes sentinel.conf to a writable volume (Sentinel rewrites its
        # config file) monitoring the master the other sentinels know, then execs Sentinel.
        . "$(dirname "$0")/{{Common}}"
        REDIS_PASSWORD=$(read_secret "$REDIS_PASSWORD_FILE")
        SENTINEL_PASSWORD=$(read_secret "$SENTINEL_PASSWORD_FILE")

        MASTER=$(sentinel_master "$SELF_HOST")
        if [ -z "$MASTER" ]; then
          for _h in $PEER_HOSTS; do
            if [ "$(data_role "$_h")" = "master" ]; then MASTER="$_h"; break; fi
          done
        fi
        if [ -z "$MASTER" ]; then
          set -- $PEER_HOSTS
          MASTER="$1"
        fi
        # With resolve-hostnames, a "sentinel monitor" host that does not resolve is a fatal config error. A
        # brand-new pod's DNS name appears a moment after the pod gets its IP: wait for it (bounded) rather
        # than crash-loop into the kubelet's back-off. If it never resolves, start anyway and let it fail loudly.
        if command -v getent >/dev/null 2>&1; then
          _i=0
          while ! getent ahosts "$MASTER" >/dev/null 2>&1 && [ "$_i" -lt "$RESOLVE_WAIT_SECONDS" ]; do
            sleep 1
            _i=$((_i + 1))
          done
        fi
        log "monitoring $MASTER"
        mkdir -p "$SENTINEL_DIR"
        umask 077
        {
          fill "$TEMPLATE_DIR/sentinel.conf" "$MASTER"
          printf 'sentinel auth-pass %s "%s"\n' "$MASTER_NAME" "$REDIS_PASSWORD"
          # Clients and the other sentinels must authenticate to this sentinel ...
          printf 'requirepass "%s"\n' "$SENTINEL_PASSWORD"
          # ... so it authenticates to them with the same password.
          printf 'sentinel sentinel-pass "%s"\n' "$SENTINEL_PASSWORD"
        } > "$SENTINEL_DIR/sentinel.conf.new"
        mv "$SENTINEL_DIR/sentinel.conf.new" "$SENTINEL_DIR/sentinel.conf"
        exec "$SENTINEL_BIN" "$SENTINEL_DIR/sentinel.conf"

        """;

    public static string PreStopSh(RedisLayout l) => $$"""
        #!/bin/sh
        # prestop.sh (matrix-rtc): before the master's pod stops, hand mastership to a replica with
        # SENTINEL FAILOVER, so a rolling update or drain costs a planned switch instead of a
        # {{l.DownAfterMilliseconds / 1000.0:0.#}} s outage plus lost writes. Always exits 0: the pod stops either way.
        . "$(dirname "$0")/{{Common}}"
        SENTINEL_PASSWORD=$(read_secret "$SENTINEL_PASSWORD_FILE")

        MASTER=$(sentinel_master)
        if [ "$MASTER" != "$SELF_HOST" ]; then
          log "not the master (${MASTER:-unknown}): nothing to hand over"
          exit 0
        fi
        _i=0
        while ! sentinels_settled && [ "$_i" -lt "$PRESTOP_SETTLE_SECONDS" ]; do
          sleep 1
          _i=$((_i + 1))
        done
        # This pod's own sentinel is stopping too: ask the others first.
        _order=""
        for _h in $PEER_HOSTS; do
          if [ "$_h" != "$SELF_HOST" ]; then _order="$_order $_h"; fi
        done
        for _h in $_order $SELF_HOST; do
          if [ "$(cli "$SENTINEL_PASSWORD" "$_h" "$SENTINEL_PORT" SENTINEL failover "$MASTER_NAME" || true)" = "OK" ]; then
            log "failover requested from the sentinel on $_h"
            break
          fi
        done
        _i=0
        while [ "$_i" -lt "$PRESTOP_WAIT_SECONDS" ]; do
          sleep 1
          _i=$((_i + 1))
          _m=$(sentinel_master)
          if [ -n "$_m" ] && [ "$_m" != "$SELF_HOST" ] && sentinels_all_name "$_m"; then
            log "handed over to $_m"
            exit 0
          fi
        done
        log "the sentinels did not move the master within ${PRESTOP_WAIT_SECONDS}s"
        exit 0

        """;

    public static string ProbeSh(RedisLayout l) => $$"""
        #!/bin/sh
        # probe.sh redis|sentinel (matrix-rtc): PING the local server with its password; PONG is healthy.
        . "$(dirname "$0")/{{Common}}"
        case "${1:-}" in
          redis) _pw=$(read_secret "$REDIS_PASSWORD_FILE"); _port="$REDIS_PORT" ;;
          sentinel) _pw=$(read_secret "$SENTINEL_PASSWORD_FILE"); _port="$SENTINEL_PORT" ;;
          *) log "usage: probe.sh redis|sentinel"; exit 2 ;;
        esac
        # Loopback, not the pod's DNS name: a DNS outage must not make the kubelet restart a healthy server.
        [ "$(cli "$_pw" "${PROBE_HOST:-127.0.0.1}" "$_port" PING)" = "PONG" ]

        """;
}
