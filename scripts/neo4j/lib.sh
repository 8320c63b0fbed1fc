# Shared by scripts/neo4j-start and scripts/neo4j-admin (sourced, not run): finding a Java that
# Neo4j 5.26 runs on, and the server's classpath from scripts/neo4j/pom.xml (resolved by Maven
# once, then cached in the state dir). The caller sets STATE_DIR and POM and defines log and die.

java_major() {  # java binary -> major version number (or empty)
    "$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}' | awk -F. '{ if ($1 == "1") print $2; else print $1 }'
}

pick_java() {
    local cand major
    local -a cands=()
    [[ -n "${JAVA_HOME:-}" ]] && cands+=("$JAVA_HOME/bin/java")
    cands+=(/usr/lib/jvm/java-17-openjdk-amd64/bin/java)
    for cand in /usr/lib/jvm/java-17*/bin/java /usr/lib/jvm/java-21*/bin/java \
                /usr/lib/jvm/*-17*/bin/java /usr/lib/jvm/*-21*/bin/java; do
        [[ -x "$cand" ]] && cands+=("$cand")
    done
    command -v java >/dev/null 2>&1 && cands+=("$(command -v java)")
    for cand in "${cands[@]}"; do
        [[ -x "$cand" ]] || continue
        major="$(java_major "$cand" || true)"
        if [[ "$major" == 17 || "$major" == 21 ]]; then
            echo "$cand"; return 0
        fi
    done
    return 1
}

neo4j_classpath() {  # java binary -> prints the classpath (resolving it with Maven the first time)
    local java="$1" pom_hash cp_file tmp_cp jar
    pom_hash="$(sha256sum "$POM" | cut -c1-16)"
    cp_file="$STATE_DIR/classpath-$pom_hash.txt"
    local ok=1
    if [[ -s "$cp_file" ]]; then
        while IFS= read -r jar; do
            [[ -z "$jar" || -f "$jar" ]] || { ok=0; break; }
        done < <(tr ':' '\n' <"$cp_file")
    else
        ok=0
    fi
    if [[ "$ok" == 0 ]]; then
        command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install maven)"
        log "resolving the Neo4j classpath with Maven (first time downloads ~125 MB) ..."
        rm -f "$STATE_DIR"/classpath-*.txt
        tmp_cp="$cp_file.tmp.$$"
        if ! JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")" \
            mvn -q -B -Dstyle.color=never -f "$POM" dependency:build-classpath \
                -Dmdep.includeScope=runtime -Dmdep.outputFile="$tmp_cp" >"$STATE_DIR/mvn.log" 2>&1; then
            rm -f "$tmp_cp"
            tail -n 40 "$STATE_DIR/mvn.log" >&2 || true
            die "Maven could not resolve the classpath from $POM (full output: $STATE_DIR/mvn.log)"
        fi
        mv "$tmp_cp" "$cp_file"
        log "classpath cached in $cp_file ($(tr ':' '\n' <"$cp_file" | grep -c .) jars)"
    fi
    cat "$cp_file"
}

is_our_server() {  # pid -> true if alive and running our launcher
    local pid="$1"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'Launcher.java' || return 1
}
