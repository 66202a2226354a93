#!/usr/bin/env bash
# `make images`: build the Rasa and platform container images with podman, then smoke-test
# each one with buildah (running containers with podman is refused on this machine kind).
#
# No container registry is reachable here, so unless BASE_IMAGE is given (e.g.
# BASE_IMAGE=python:3.11-slim-bookworm where a registry is), the base is made from Debian's
# own packages with debootstrap and kept as localhost/bank-base:bookworm (built once).
#
# Variables: BASE_IMAGE, RASA_IMAGE, PLATFORM_IMAGE, BAKE_MODEL=yes|no, REBUILD_BASE=1.
set -euo pipefail
cd "$(dirname "$0")/.."

# The names deploy/compose and deploy/kubernetes use.
RASA_IMAGE=${RASA_IMAGE:-localhost/bank-assistant/rasa:latest}
PLATFORM_IMAGE=${PLATFORM_IMAGE:-localhost/bank-assistant/platform:latest}
LOCAL_BASE=localhost/bank-base:bookworm
BAKE_MODEL=${BAKE_MODEL:-yes}
MODEL=models/bank.tar.gz
# pip inside the build reaches PyPI through a TLS proxy only the host trusts.
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
log() { printf '\n==> %s\n' "$*"; }

# --- tools (Debian packages; one apt-get update, only if something is missing) -----------
need=()
command -v podman >/dev/null || need+=(podman)
command -v buildah >/dev/null || need+=(buildah)
[ -n "${BASE_IMAGE:-}" ] || command -v debootstrap >/dev/null || need+=(debootstrap)
if [ "$(id -u)" -ne 0 ]; then  # rootless podman
  command -v newuidmap >/dev/null || need+=(uidmap)
  command -v fuse-overlayfs >/dev/null || need+=(fuse-overlayfs)
  command -v slirp4netns >/dev/null || need+=(slirp4netns)
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi

# --- base image -----------------------------------------------------------------------------
# The Debian mirror apt already uses (one-line or deb822 sources), for bookworm itself.
debian_mirror() {
  local m
  m=$(grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
      | sed -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' \
      | awk '$2 == "bookworm" {print $1; exit}' || true)
  if [ -z "$m" ]; then
    m=$(awk 'function flush() { if (suite && uri) { print uri; found = 1; exit } uri = ""; suite = 0 }
             /^[[:space:]]*$/ { flush(); next }
             /^URIs:/ { uri = $2 }
             /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
             END { if (!found) flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

build_local_base() {
  local mirror
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/bank-base.XXXXXX)  # global: the EXIT trap removes it on failure
  trap '$sudo rm -rf "$rootfs"' EXIT
  log "debootstrap bookworm from $mirror"
  $sudo debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror"
  # Caches and documentation are not needed in an image.
  $sudo chroot "$rootfs" apt-get clean
  $sudo rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  $sudo tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    - "$LOCAL_BASE" >/dev/null
  $sudo rm -rf "$rootfs"
  trap - EXIT
}

if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE=$LOCAL_BASE
  if [ -n "${REBUILD_BASE:-}" ] || ! podman image exists "$LOCAL_BASE"; then
    start=$SECONDS
    build_local_base
    log "base $LOCAL_BASE built in $((SECONDS - start)) s"
  else
    log "base $LOCAL_BASE exists (REBUILD_BASE=1 to make it again)"
  fi
fi

# --- the model ------------------------------------------------------------------------------
if [ "$BAKE_MODEL" = yes ] && [ ! -f "$MODEL" ]; then
  log "$MODEL is missing: make train"
  make train
fi

# --- images ---------------------------------------------------------------------------------
declare -A build_seconds
build() {  # build IMAGE CONTAINERFILE [podman build args...]
  local image=$1 file=$2 start=$SECONDS
  shift 2
  log "building $image from $file (base $BASE_IMAGE)"
  # docker format: the OCI format has no HEALTHCHECK.
  podman build --isolation chroot --format docker \
    -v "$CA_BUNDLE:$CA_BUNDLE:ro" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" "$@" \
    -f "$file" -t "$image" .
  build_seconds[$image]=$((SECONDS - start))
}
build "$RASA_IMAGE" deploy/images/rasa.Containerfile --build-arg "BAKE_MODEL=$BAKE_MODEL"
build "$PLATFORM_IMAGE" deploy/images/platform.Containerfile

# --- smoke tests ----------------------------------------------------------------------------
# In each image's filesystem, as its user: import the runtime, then start each process with
# its real command and wait until the image's own HEALTHCHECK passes. Loopback and ports
# other than the defaults (buildah run shares the host's network); dummy secrets, long
# enough to pass the settings checks and never used for anything real.
SMOKE_ENV=(
  --env CRM_SERVICE_TOKEN=smoke-test-service-token
  --env ACTION_SERVER_TOKEN=smoke-test-action-token
  --env RASA_API_TOKEN=smoke-test-rasa-api-token
  --env APP_JWT_SECRET=smoke-test-app-jwt-secret-0123456789abcdef
  --env RASA_HOST=127.0.0.1 --env RASA_PORT=15005
  --env ACTION_SERVER_HOST=127.0.0.1 --env ACTION_SERVER_PORT=15055
  --env ACTION_SERVER_URL=http://127.0.0.1:15055/webhook
  --env PLATFORM_HOST=127.0.0.1 --env PLATFORM_PORT=18000
  --env CRM_API_URL=http://127.0.0.1:18000/api/v1
  --env RASA_URL=http://127.0.0.1:15005
)
# Starts "$@" in the background, polls the HEALTHCHECK command ($HEALTHCHECK) until it
# passes, the process exits or $TIMEOUT seconds pass; then stops the process.
SERVE_SCRIPT='
"$@" >/tmp/smoke-serve.log 2>&1 &
pid=$!; start=$(date +%s); status=1
while :; do
  if sh -c "$HEALTHCHECK" >/dev/null 2>&1; then
    echo "healthy after $(( $(date +%s) - start )) s"; status=0; break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the process exited"; break; fi
  if [ $(( $(date +%s) - start )) -ge "$TIMEOUT" ]; then echo "not healthy in $TIMEOUT s"; break; fi
  sleep 2
done
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
[ "$status" -eq 0 ] || tail -n 30 /tmp/smoke-serve.log
exit "$status"
'
# The image's own HEALTHCHECK test, as one shell command.
healthcheck_command() {
  buildah inspect --type image "$1" | python3 -c '
import json, shlex, sys
test = json.load(sys.stdin)["Docker"]["config"]["Healthcheck"]["Test"]
print(test[1] if test[0] == "CMD-SHELL" else shlex.join(test[1:]))'
}
# The image's default command, one argument a line (for mapfile).
default_command() {
  buildah inspect --type image "$1" | python3 -c '
import json, sys
print(*json.load(sys.stdin)["Docker"]["config"]["Cmd"], sep="\n")'
}

names=(); declare -A result
record() {  # record NAME EXIT_STATUS
  names+=("$1")
  if [ "$2" -eq 0 ]; then result[$1]=pass; else result[$1]="FAIL (exit $2)"; fi
}
in_container() {  # in_container CONTAINER [buildah run options] -- COMMAND...
  local ctr=$1 options=()
  shift
  while [ "$1" != -- ]; do options+=("$1"); shift; done
  timeout 600 buildah run --isolation chroot "${SMOKE_ENV[@]}" "${options[@]}" "$ctr" "$@"
}
smoke_python() {  # smoke_python NAME CONTAINER SCRIPT
  local rc=0
  log "smoke test: $1"
  in_container "$2" -- /opt/venv/bin/python -c "$3" || rc=$?
  record "$1" "$rc"
}
smoke_command() {  # smoke_command NAME CONTAINER COMMAND...
  local name=$1 ctr=$2 rc=0
  shift 2
  log "smoke test: $name"
  in_container "$ctr" -- "$@" || rc=$?
  record "$name" "$rc"
}
smoke_serve() {  # smoke_serve NAME CONTAINER IMAGE TIMEOUT COMMAND...
  local name=$1 ctr=$2 image=$3 timeout=$4 rc=0
  shift 4
  log "smoke test: $name ($*)"
  in_container "$ctr" --env "HEALTHCHECK=$(healthcheck_command "$image")" \
    --env "TIMEOUT=$timeout" -- sh -c "$SERVE_SCRIPT" sh "$@" || rc=$?
  record "$name" "$rc"
}
# Under readOnlyRootFilesystem only /data and /tmp are writable: after the processes ran,
# nothing else in the container may have changed (/run is buildah's own).
smoke_writes() {  # smoke_writes NAME CONTAINER MARKER
  local name=$1 ctr=$2 marker=$3 mnt changed
  log "smoke test: $name"
  if [ "$(id -u)" -ne 0 ]; then echo "skipped (needs root for buildah mount)"; return; fi
  mnt=$(buildah mount "$ctr")
  changed=$(cd "$mnt" && find . -xdev -newer "$marker" ! -path . ! -path './tmp*' \
    ! -path './data*' ! -path './run*' | head -n 20)
  buildah umount "$ctr" >/dev/null
  if [ -z "$changed" ]; then echo "nothing written outside /data and /tmp"; record "$name" 0
  else echo "written outside /data and /tmp:"; echo "$changed"; record "$name" 1; fi
}

RASA_SMOKE='
import asyncio, os, time
import rasa, rasa_sdk, assistant.serve, actions.server
print("rasa", rasa.__version__, "rasa_sdk", rasa_sdk.__version__)
model = "/app/models/bank.tar.gz"
if os.path.exists(model):
    from rasa.core.agent import Agent
    start = time.monotonic()
    agent = Agent.load(model)
    print("model loaded in %.1f s" % (time.monotonic() - start))
    for text in ("I lost my card", "我的卡丢了"):
        intent = asyncio.run(agent.parse_message(text))["intent"]
        print(repr(text), "->", intent["name"], "(%.2f)" % intent["confidence"])
else:
    print("no model baked in (mount one at /app/models)")
'
PLATFORM_SMOKE='
import server.app
app = server.app.create_app()
print("platform app created:", len(app.routes), "routes")
'

for port in 15005 15055 18000; do  # a process already there would answer the health checks
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use; the smoke tests need 15005, 15055 and 18000 free" >&2; exit 1
  fi
done
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
ctr=$(buildah from --pull-never "$RASA_IMAGE")
smoke_python rasa-import-and-parse "$ctr" "$RASA_SMOKE"
smoke_serve action-server-health "$ctr" "$RASA_IMAGE" 60 python3 -m actions.server
if [ "$BAKE_MODEL" = yes ]; then  # the default command needs a model
  mapfile -t cmd < <(default_command "$RASA_IMAGE")
  smoke_serve rasa-server-health "$ctr" "$RASA_IMAGE" 300 "${cmd[@]}"
fi
smoke_writes rasa-writes "$ctr" "$marker"
buildah rm "$ctr" >/dev/null

ctr=$(buildah from --pull-never "$PLATFORM_IMAGE")
smoke_python platform-create-app "$ctr" "$PLATFORM_SMOKE"
smoke_command platform-migrate "$ctr" sh -c \
  'alembic -c server/alembic.ini upgrade head && alembic -c server/alembic.ini current'
mapfile -t cmd < <(default_command "$PLATFORM_IMAGE")
smoke_serve platform-health "$ctr" "$PLATFORM_IMAGE" 60 "${cmd[@]}"
smoke_writes platform-writes "$ctr" "$marker"
buildah rm "$ctr" >/dev/null

# --- summary --------------------------------------------------------------------------------
log "summary"
podman images --filter "reference=$RASA_IMAGE" --filter "reference=$PLATFORM_IMAGE" \
  --format '{{.Repository}}:{{.Tag}}  {{.Size}}'
for image in "$RASA_IMAGE" "$PLATFORM_IMAGE"; do
  echo "built $image in ${build_seconds[$image]} s"
done
failed=0
for name in "${names[@]}"; do
  printf '  %-24s %s\n' "$name" "${result[$name]}"
  [ "${result[$name]}" = pass ] || failed=1
done
if [ "$failed" -ne 0 ]; then echo "images: smoke tests FAILED"; exit 1; fi
echo "images: all smoke tests passed"
