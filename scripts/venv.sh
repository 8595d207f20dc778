# shellcheck shell=bash
# Sourced by the set-up scripts: the Python environment they install into and run from.
#
# A stock Debian/Ubuntu Python has no `python` command (only `python3`) and refuses a system
# `pip install` (PEP 668), so everything runs in a virtual environment: the active one when
# VIRTUAL_ENV is set, else `.venv` in the repository root, made on first use. uv makes and fills
# it when it is on PATH (much faster), pip otherwise.

progress() {
  printf '==> %s\n' "$*"
}

have_uv() {
  command -v uv >/dev/null 2>&1
}

# make_venv DIR: a virtual environment at DIR, unless one is there already.
make_venv() {
  local dir="$1"
  [[ -x "$dir/bin/python" ]] && return 0
  if have_uv; then
    progress "creating the virtual environment $dir (uv)…"
    # --seed adds pip, so the environment still works where uv is not on PATH.
    uv venv --quiet --seed "$dir"
  else
    progress "creating the virtual environment $dir (python3 -m venv)…"
    python3 -m venv "$dir" || {
      echo "python3 -m venv failed; on Debian/Ubuntu install it: apt-get install python3-venv" >&2
      return 1
    }
  fi
}

# venv_install DIR ARGS...: `pip install ARGS` into the environment at DIR.
venv_install() {
  local dir="$1"
  shift
  if have_uv; then
    progress "installing mrvtrace into ${dir#"$PWD"/} (uv)…"
    uv pip install --quiet --python "$dir/bin/python" "$@"
  else
    progress "installing mrvtrace into ${dir#"$PWD"/} (pip)…"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
  fi
}

# use_project_venv: make the active environment, else ./.venv, the one `python`, `pip`,
# `mrvtrace` and the test tools come from for the rest of the script.
use_project_venv() {
  if [[ -n "${VIRTUAL_ENV:-}" ]]; then
    if [[ ! -x "$VIRTUAL_ENV/bin/python" ]]; then
      echo "VIRTUAL_ENV=$VIRTUAL_ENV has no bin/python; deactivate it or make it anew" >&2
      return 1
    fi
  else
    make_venv "$PWD/.venv"
    export VIRTUAL_ENV="$PWD/.venv"
  fi
  export PATH="$VIRTUAL_ENV/bin:$PATH"
  hash -r
}
