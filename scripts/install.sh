#!/usr/bin/env bash
# Installs what the portal needs and is missing: Debian packages, the virtualenv with
# pinned Python packages, and the Solr launcher's Maven artifacts. Idempotent and quick
# when nothing changed (stamp files under the run folder).
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$GE_RUN_DIR" "$GE_LOG_DIR" "$GE_PID_DIR"

APT_PACKAGES=(postgresql postgresql-contrib libpq-dev redis-server openjdk-17-jdk-headless maven
              build-essential python3-dev gettext-base curl)

install_debian() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "Installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python() {
  local stamp=$GE_VENV/.ge-installed
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/requirements.txt" ] && [ "$stamp" -nt "$ROOT/constraints.txt" ] \
     && [ "$stamp" -nt "$ROOT/setup.py" ]; then
    return
  fi
  say "Installing Python packages into $GE_VENV"
  [ -x "$GE_VENV/bin/python" ] || "$GE_PYTHON" -m venv "$GE_VENV"
  local log=$GE_LOG_DIR/pip.log
  { "$GE_VENV/bin/pip" install --upgrade pip setuptools wheel &&
    "$GE_VENV/bin/pip" install -r "$ROOT/requirements.txt" -c "$ROOT/constraints.txt" &&
    "$GE_VENV/bin/pip" install --no-deps -e "$ROOT"; } >"$log" 2>&1 \
    || { tail -n 30 "$log"; die "pip install failed (log: $log)"; }
  touch "$stamp"
}

install_solr() {
  local dir=$ROOT/docker/solr
  if [ -f "$dir/target/classpath.txt" ] && [ "$dir/target/classpath.txt" -nt "$dir/pom.xml" ] \
     && [ -z "$(find "$dir/src" -newer "$dir/target/classpath.txt" -print -quit)" ]; then
    return
  fi
  say "Building the Solr 9 launcher (Maven Central artifacts)"
  (cd "$dir" && mvn -q -B package -DskipTests) || die "Maven build of docker/solr failed"
}

# `docker compose config` validates docker/docker-compose.yml in the tests; no Docker
# engine is needed. The Compose v2 CLI plugin is built from its Go module when missing.
COMPOSE_VERSION=v2.40.3
install_compose() {
  command -v docker >/dev/null || APT_PACKAGES=(docker.io) install_debian
  docker compose version >/dev/null 2>&1 && return
  command -v go >/dev/null || die "Go is needed to build the Docker Compose plugin"
  say "Building the Docker Compose $COMPOSE_VERSION CLI plugin (Go module proxy)"
  local plugins=$HOME/.docker/cli-plugins
  [ "$(id -u)" -ne 0 ] || plugins=/usr/local/lib/docker/cli-plugins
  mkdir -p "$plugins"
  go mod download "github.com/docker/compose/v2@$COMPOSE_VERSION"
  (cd "$(go env GOMODCACHE)/github.com/docker/compose/v2@$COMPOSE_VERSION" &&
   go build -trimpath -o "$plugins/docker-compose" ./cmd) >"$GE_LOG_DIR/compose-build.log" 2>&1 \
    || { tail -n 20 "$GE_LOG_DIR/compose-build.log"; die "building docker compose failed"; }
}

install_debian
install_python
install_solr
install_compose
