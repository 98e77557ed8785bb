#!/usr/bin/env bash
# A real Elasticsearch 8.14 node (or a small cluster) for tests and development,
# built from Maven Central jars only; see scripts/elasticsearch/pom.xml.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/elasticsearch.sh COMMAND [options]

commands:
  start              start the cluster (fresh data unless --keep), wait until it is
                     healthy, print its base URL as the last line
  stop               stop every node (SIGTERM, then SIGKILL after a timeout)
  status             print each node's state and the cluster health (exit 3 if none runs)
  urls               print the HTTP URLs of all configured nodes, comma-separated
  stop-node K        stop node K (1-based) of a running cluster; --kill sends SIGKILL at once
  start-node K       start node K again (keeps its data) and wait until it has rejoined

options:
  --nodes N          number of nodes, one JVM each (start; default 1)
  --port P           HTTP port of node 1; node K uses P+K-1, transport P+100+K-1 (start; default 9200)
  --dir DIR          run directory: pid files, logs, data (default ${HOTWATCH_ES_DIR:-$HOME/.cache/hotwatch/es})
  --heap SIZE        heap per node (default 512m for one node, 384m each for more)
  --keep             keep the data of the previous start
  --kill             stop-node: SIGKILL instead of a clean stop

environment: HOTWATCH_ES_DIR, HOTWATCH_ES_TIMEOUT (start wait, s; default 240),
  HOTWATCH_ES_STOP_TIMEOUT (s; default 30), HOTWATCH_ES_MAVEN_ARGS (extra mvn args,
  e.g. -Dmaven.repo.local=DIR), HOTWATCH_ES_JAVA_OPTS (extra JVM options, last wins,
  e.g. -XX:TieredStopAtLevel=4 for full JIT), JAVA_HOME
EOF
}

die() {
    echo "elasticsearch.sh: $*" >&2
    exit 1
}

log() {
    echo "elasticsearch.sh: $*" >&2
}

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$HERE/elasticsearch"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
MAIN=hotwatch.es.NodeMain

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
COMMAND="$1"
shift
NODE=""
if [[ "$COMMAND" == stop-node || "$COMMAND" == start-node ]]; then
    [[ $# -ge 1 && "$1" =~ ^[1-9][0-9]*$ ]] || die "$COMMAND needs a node number K (1-based)"
    NODE="$1"
    shift
fi

NODES=1
PORT=9200
DIR="${HOTWATCH_ES_DIR:-$HOME/.cache/hotwatch/es}"
HEAP=""
KEEP=0
KILL=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --nodes) NODES="${2:?--nodes needs a value}"; shift 2 ;;
        --port) PORT="${2:?--port needs a value}"; shift 2 ;;
        --dir) DIR="${2:?--dir needs a value}"; shift 2 ;;
        --heap) HEAP="${2:?--heap needs a value}"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --kill) KILL=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number"
TIMEOUT="${HOTWATCH_ES_TIMEOUT:-240}"
STOP_TIMEOUT="${HOTWATCH_ES_STOP_TIMEOUT:-30}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
STATE="$DIR/cluster.env"

# The cluster layout of the last start (stop/status/... use it, not the options).
load_state() {
    if [[ -f "$STATE" ]]; then
        # shellcheck disable=SC1090
        source "$STATE"
    fi
}

http_port() { echo $((PORT + $1 - 1)); }
transport_port() { echo $((PORT + 100 + $1 - 1)); }
url() { echo "http://127.0.0.1:$(http_port "$1")"; }
pidfile() { echo "$DIR/node-$1.pid"; }
logfile() { echo "$DIR/node-$1.log"; }

# Pid of node K if its JVM is alive (and really is our node), else nothing.
node_pid() {
    local file pid
    file="$(pidfile "$1")"
    [[ -f "$file" ]] || return 0
    pid="$(cat "$file")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN"; then
        echo "$pid"
    fi
}

running_nodes() {
    local k count=0
    for ((k = 1; k <= NODES; k++)); do
        [[ -n "$(node_pid "$k")" ]] && count=$((count + 1))
    done
    echo "$count"
}

first_running_url() {
    local k
    for ((k = 1; k <= NODES; k++)); do
        if [[ -n "$(node_pid "$k")" ]]; then
            url "$k"
            return
        fi
    done
}

# Resolve the jars with Maven (cached in ~/.m2) and compile the launcher, once per change.
build() {
    local out="$DIR/build" stamp
    command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
    command -v "$JAVAC" >/dev/null || die "javac not found (a JDK 17+ is needed)"
    stamp="$(cat "$PROJECT/pom.xml" $(find "$PROJECT/src" -type f | sort) | sha256sum | cut -d' ' -f1) $("$JAVA" -version 2>&1 | head -1) ${HOTWATCH_ES_MAVEN_ARGS:-}"
    if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" && -f "$out/classpath.txt" ]]; then
        return
    fi
    log "resolving the Elasticsearch jars with Maven (about 70 MB into ~/.m2 on first use) and compiling the launcher..."
    rm -rf "$out"
    mkdir -p "$out/classes"
    # shellcheck disable=SC2086
    if ! mvn -B -q ${HOTWATCH_ES_MAVEN_ARGS:-} -f "$PROJECT/pom.xml" dependency:build-classpath \
        -Dmdep.outputFile="$out/classpath.txt" >"$out/maven.log" 2>&1; then
        tail -n 30 "$out/maven.log" >&2
        die "Maven could not resolve the dependencies (full log: $out/maven.log)"
    fi
    mapfile -t sources < <(find "$PROJECT/src/main/java" -name '*.java')
    "$JAVAC" -nowarn -encoding UTF-8 --release 17 -cp "$(cat "$out/classpath.txt")" \
        -d "$out/classes" "${sources[@]}" || die "compiling the node launcher failed"
    echo "$stamp" >"$out/stamp"
}

launch_node() {
    local k="$1" home="$DIR/node-$1" seeds="" masters="" i
    local -a settings
    mkdir -p "$home/tmp"
    settings=(
        -Ecluster.name=hotwatch
        -Enode.name="node-$k"
        -Epath.home="$home"
        -Epath.data="$home/data"
        -Epath.logs="$home/logs"
        -Enetwork.host=127.0.0.1
        -Ehttp.port="$(http_port "$k")"
        -Etransport.port="$(transport_port "$k")"
        -Ecluster.routing.allocation.disk.threshold_enabled=false
        -Eaction.destructive_requires_name=false
    )
    if ((NODES == 1)); then
        settings+=(-Ediscovery.type=single-node)
    else
        for ((i = 1; i <= NODES; i++)); do
            seeds+="${seeds:+,}127.0.0.1:$(transport_port "$i")"
            masters+="${masters:+,}node-$i"
        done
        settings+=(-Ediscovery.seed_hosts="$seeds" -Ecluster.initial_master_nodes="$masters")
    fi
    # C1 only (TieredStopAtLevel=1): starts about twice as fast on 2 cores, ample for tests.
    # shellcheck disable=SC2086
    nohup "$JAVA" "-Xms$HEAP" "-Xmx$HEAP" -XX:+UseG1GC -XX:TieredStopAtLevel=1 -XX:-OmitStackTraceInFastThrow \
        -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$home/tmp" \
        -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
        -Dio.netty.recycler.maxCapacityPerThread=0 \
        -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true \
        ${HOTWATCH_ES_JAVA_OPTS:-} -cp "$DIR/build/classes:$(cat "$DIR/build/classpath.txt")" "$MAIN" "${settings[@]}" \
        >>"$(logfile "$k")" 2>&1 </dev/null &
    echo $! >"$(pidfile "$k")"
}

# Nodes being started (space-separated numbers): watched for early exits, stopped on failure.
WATCH=""

fail_start() {
    local k
    log "$1"
    for k in $WATCH; do
        if [[ -f "$(logfile "$k")" ]]; then
            echo "---- last lines of $(logfile "$k") ----" >&2
            tail -n 40 "$(logfile "$k")" >&2
        fi
    done
    for k in $WATCH; do
        stop_node "$k" TERM || true
    done
    exit 1
}

# Wait until BASE reports WANT nodes and at least yellow health.
wait_healthy() {
    local base="$1" want="$2" deadline=$((SECONDS + TIMEOUT)) body k
    while ((SECONDS < deadline)); do
        for k in $WATCH; do
            kill -0 "$(cat "$(pidfile "$k")")" 2>/dev/null || fail_start "node-$k exited during start-up"
        done
        body="$(curl -sf --max-time 10 "$base/_cluster/health?wait_for_status=yellow&wait_for_nodes=$want&timeout=5s" 2>/dev/null || true)"
        if [[ "$body" == *'"timed_out":false'* ]]; then
            return 0
        fi
        sleep 1
    done
    fail_start "cluster not healthy with $want node(s) after ${TIMEOUT}s"
}

stop_node() {
    local k="$1" signal="$2" pid waited=0
    pid="$(node_pid "$k")"
    if [[ -z "$pid" ]]; then
        rm -f "$(pidfile "$k")"
        return 0
    fi
    kill "-$signal" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "node-$k (pid $pid) still running after ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$(pidfile "$k")"
    [[ -n "${QUIET_STOP:-}" ]] || log "node-$k (pid $pid) stopped"
}

stop_all() {
    local k pid
    load_state
    local -a pids=()
    for ((k = 1; k <= NODES; k++)); do
        pid="$(node_pid "$k")"
        pids[k]="$pid"
        [[ -z "$pid" ]] || kill -TERM "$pid" 2>/dev/null || true
    done
    for ((k = 1; k <= NODES; k++)); do
        QUIET_STOP=1 stop_node "$k" TERM
        [[ -z "${pids[k]}" ]] || log "node-$k (pid ${pids[k]}) stopped"
    done
}

cmd_start() {
    local k base running
    if [[ -f "$STATE" ]]; then
        local want_nodes="$NODES" want_port="$PORT" want_heap="$HEAP"
        load_state
        running="$(running_nodes)"
        if ((running > 0)); then
            if [[ "$want_nodes" != "$NODES" || "$want_port" != "$PORT" ]]; then
                log "already running with --nodes $NODES --port $PORT; stop it first to change that"
            fi
            log "already running ($running of $NODES node(s))"
            first_running_url
            return 0
        fi
        NODES="$want_nodes"
        PORT="$want_port"
        HEAP="$want_heap"
    fi
    command -v curl >/dev/null || die "curl not found"
    if [[ -z "$HEAP" ]]; then
        if ((NODES == 1)); then HEAP=512m; else HEAP=384m; fi
    fi
    for ((k = 1; k <= NODES; k++)); do
        if curl -s --max-time 2 -o /dev/null "$(url "$k")" 2>/dev/null; then
            die "port $(http_port "$k") is already in use by another server"
        fi
    done
    build
    printf 'NODES=%s\nPORT=%s\nHEAP=%s\n' "$NODES" "$PORT" "$HEAP" >"$STATE"
    for ((k = 1; k <= NODES; k++)); do
        if ((KEEP == 0)); then
            rm -rf "$DIR/node-$k"
        fi
        : >"$(logfile "$k")"
    done
    local started=$SECONDS
    log "starting $NODES node(s) in $DIR (heap $HEAP each)"
    for ((k = 1; k <= NODES; k++)); do
        launch_node "$k"
        WATCH+=" $k"
    done
    base="$(url 1)"
    wait_healthy "$base" "$NODES"
    log "healthy after $((SECONDS - started))s; logs: $DIR/node-*.log"
    echo "$base"
}

cmd_stop() {
    [[ -f "$STATE" ]] || { log "not running"; return 0; }
    stop_all
}

cmd_status() {
    local k pid base
    [[ -f "$STATE" ]] || { echo "not running (no cluster started in $DIR)"; exit 3; }
    load_state
    for ((k = 1; k <= NODES; k++)); do
        pid="$(node_pid "$k")"
        if [[ -n "$pid" ]]; then
            echo "node-$k running pid $pid $(url "$k")"
        else
            echo "node-$k stopped $(url "$k")"
        fi
    done
    base="$(first_running_url)"
    if [[ -z "$base" ]]; then
        echo "not running"
        exit 3
    fi
    echo "health: $(curl -s --max-time 10 "$base/_cluster/health" || echo unreachable)"
}

cmd_urls() {
    local k out=""
    load_state
    for ((k = 1; k <= NODES; k++)); do
        out+="${out:+,}$(url "$k")"
    done
    echo "$out"
}

cmd_stop_node() {
    [[ -f "$STATE" ]] || die "no cluster started in $DIR"
    load_state
    ((NODE <= NODES)) || die "there are only $NODES node(s)"
    if ((KILL)); then stop_node "$NODE" KILL; else stop_node "$NODE" TERM; fi
}

cmd_start_node() {
    [[ -f "$STATE" ]] || die "no cluster started in $DIR"
    load_state
    ((NODE <= NODES)) || die "there are only $NODES node(s)"
    if [[ -n "$(node_pid "$NODE")" ]]; then
        log "node-$NODE already running"
        url "$NODE"
        return 0
    fi
    [[ -f "$DIR/build/classpath.txt" ]] || build
    launch_node "$NODE"
    WATCH="$NODE"
    wait_healthy "$(url "$NODE")" "$(running_nodes)"
    log "node-$NODE rejoined"
    url "$NODE"
}

case "$COMMAND" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    urls) cmd_urls ;;
    stop-node) cmd_stop_node ;;
    start-node) cmd_start_node ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
