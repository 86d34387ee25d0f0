# Sourced by the bench scripts right after their `set -euo pipefail`: remembers where the
# script was started, moves to the repository root, and defines
#   absolute PATH  a path given on the command line, made absolute against where the
#                  script was started;
#   usage          the script's header comment (from its line 2 to `set -euo`) as help.
here=$PWD
cd "$(dirname "$0")/.."

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
