# shellcheck shell=bash disable=SC2034  # its variables are for the scripts that source it
# What dockerRun and dockerRunDetached share, sourced by both: the settings they
# take from the environment and the `docker run` options that follow from them.

# The repository root, wherever the script is called from.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
image=${WATCHTOWER_IMAGE:-watchtower:latest}
# The container engine's command line: docker, or e.g. `podman --runtime runc`
# (words split on spaces). Podman takes the same options as docker here.
read -r -a engine <<<"${WATCHTOWER_ENGINE:-docker}"
[[ ${#engine[@]} -gt 0 ]] || engine=(docker)
port=${WATCHTOWER_PORT:-8080}
data=${WATCHTOWER_DATA:-watchtower-data}
config_dir=${WATCHTOWER_CONFIG_DIR:-$root/docker/config}

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

# --help prints the calling script's header comment.
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"
  exit 0
fi

# --mount rather than -v: a missing config directory is an error, not an empty
# directory that the daemon creates as root.
[[ -d $config_dir ]] || die "WATCHTOWER_CONFIG_DIR: $config_dir is not a directory"
config_dir=$(cd "$config_dir" && pwd -P)
if [[ $data == */* ]]; then
  # A path (it has a slash, as for `docker run -v`): a host directory. Made here
  # so that the daemon does not make it as root; it must belong to UID 10001.
  mkdir -p "$data"
  data=$(cd "$data" && pwd -P)
  data_mount="type=bind,src=$data,dst=/data"
  data_where=$data
  if [[ -z $(find "$data" -maxdepth 0 -user 10001) ]]; then
    echo "${0##*/}: warning: $data is not owned by UID 10001, the container's user," \
      "which must be able to write it (sudo chown 10001:10001 $data)" >&2
  fi
else
  # A name: a volume, which the engine fills from the image's /data (owned by 10001).
  data_mount="type=volume,src=$data,dst=/data"
  data_where="the volume $data"
fi
for path in "$config_dir" "$data"; do
  [[ $path != *,* ]] || die "$path: a path with a comma cannot be mounted with --mount"
done

# No --init: the image's entrypoint is already tini, which reaps the orphans of
# `exec` alert commands. The rest mirrors packaging/watchtower.service: a
# read-only root (the server writes only to /data, SQLite's scratch files to
# /tmp), no capabilities, no privilege gain, and 30 s for a clean stop (Docker's
# default is 10 s, the most the server takes to flush its queued writes).
run_options=(
  -p "$port:8080"
  --mount "type=bind,src=$config_dir,dst=/config,readonly"
  --mount "$data_mount"
  --read-only
  --tmpfs /tmp
  --cap-drop ALL
  --security-opt no-new-privileges:true
  --stop-timeout 30
)
