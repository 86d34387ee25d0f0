//! koe's hand-written numerics against the libraries a Rust engineer would reach for
//! instead, on the same rows in the same run (benches/library_compare.sh builds and runs it):
//!
//! 1. logistic regression: koe's SGD trainer (`koe::sentiment::train`) against
//!    linfa-logistic's multinomial L-BFGS, on koe's own hashed features of labelled sets,
//!    split as `koe train/eval --holdout 0.3 --split-seed 42` split them;
//! 2. truncated SVD: koe's randomized SVD against an exact one from faer (the eigen-
//!    decomposition of the dense Gram matrix A·Aᵀ) on a TF-IDF matrix;
//! 3. k-means: koe's spherical k-means against linfa-clustering's KMeans on the same
//!    unit LSA vectors, scored by NMI against the gold labels;
//! 4. RNG: koe's SplitMix64 against rand's SmallRng and StdRng.
//!
//! Times are process CPU seconds (the machine is shared), with koe as the baseline of each
//! comparison. Usage: library-compare [DATA_DIR] (default /work/shared/data).

use std::collections::HashMap;
use std::error::Error;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use faer::{Mat, Side};
use koe::eval::labelled::{self, Fields, LabelMap, LabelledFile};
use koe::eval::metrics::Confusion;
use koe::sentiment::linear::features::{FeatureConfig, Features};
use koe::sentiment::train::{self, HyperParameters, SplitMix64, TrainingRun};
use koe::topics::numerics::{SparseRows, seeded, spherical_kmeans, truncated_svd};
use koe::{Label, Lang, TextAnalyzer};
use linfa::prelude::*;
use ndarray::{Array1, Array2};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const SENTIMENT_SETS: [&str; 4] = [
    "ja-hotel-sentences-train.tsv",
    "ja-amazon-reviews-dev.tsv",
    "en-restaurant-reviews-stars-dev.tsv",
    "tweeteval-sentiment-val.tsv",
];
const TOPIC_SET: &str = "en-bbc-news-topics.tsv";
const HOLDOUT: f64 = 0.3;
const SPLIT_SEED: u64 = 42;
/// linfa-logistic needs a dense matrix: the training part's most frequent hashed
/// columns (document frequency ≥ 2), at most this many.
const DENSE_COLUMNS: usize = 20_000;
const LSA_DIMS: usize = 100;
const KMEANS_SEEDS: u64 = 5;

fn main() -> Result<()> {
    let data = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/work/shared/data".into()),
    );
    let analyzer = TextAnalyzer::load(Some(&koe::text::dictionary::default_dir()))?;
    println!("| comparison | data | method | quality | CPU s | × koe |");
    println!("|---|---|---|---|---|---|");
    for set in SENTIMENT_SETS {
        logistic(&analyzer, &data.join(set), set)?;
    }
    topics(&analyzer, &data.join(TOPIC_SET))?;
    rng();
    Ok(())
}

fn row(what: &str, data: &str, method: &str, quality: &str, seconds: f64, base: f64) {
    println!(
        "| {what} | {data} | {method} | {quality} | {seconds:.3} | {:.2} |",
        seconds / base
    );
}

// ---------------------------------------------------------------- logistic regression

fn logistic(analyzer: &TextAnalyzer, path: &Path, name: &str) -> Result<()> {
    let file = LabelledFile::new(path, Fields::default())?;
    let all = labelled::read(&file, &LabelMap::default())?;
    let labels: Vec<Label> = all.docs.iter().map(|d| d.label).collect();
    let held = train::stratified_holdout(&labels, HOLDOUT, SPLIT_SEED);
    let (test, fit): (Vec<_>, Vec<_>) = all.docs.into_iter().zip(held).partition(|(_, h)| *h);
    let fit: Vec<_> = fit.into_iter().map(|(d, _)| d).collect();
    let test: Vec<_> = test.into_iter().map(|(d, _)| d).collect();
    let fit = koe::eval::analyse(analyzer, &fit, None, &|_| {});
    let test = koe::eval::analyse(analyzer, &test, None, &|_| {});

    // koe, as `koe train` runs it: λ chosen on a validation part, then one fit.
    let run = |l2: f32, grid: &'static [f32], class_weight| TrainingRun {
        docs: &fit.docs,
        labels: &fit.gold,
        hyper: HyperParameters {
            l2,
            class_weight,
            ..HyperParameters::default()
        },
        features: FeatureConfig::default(),
        lang: None,
        provenance: String::new(),
        l2_grid: grid,
    };
    let started = Stopwatch::start();
    let auto = train::train(
        run(0.0, &train::L2_GRID, train::ClassWeight::Balanced),
        &mut |_, _| {},
    )?;
    let auto_s = started.seconds();
    let l2 = auto.card().hyper_parameters.l2;
    let started = Stopwatch::start();
    let koe_model = train::train(run(l2, &[], train::ClassWeight::Balanced), &mut |_, _| {})?;
    let koe_s = started.seconds();
    let started = Stopwatch::start();
    let unweighted = train::train(run(l2, &[], train::ClassWeight::None), &mut |_, _| {})?;
    let unweighted_s = started.seconds();
    let classes = koe_model.card().labels.clone();
    let featurize = |docs: &[koe::AnalysedText]| -> Vec<Features> {
        docs.iter()
            .map(|d| koe_model.featurizer().featurize(d, false).0)
            .collect()
    };
    let started = Stopwatch::start();
    let fit_x = featurize(&fit.docs);
    let featurize_s = started.seconds();
    let test_x = featurize(&test.docs);
    let score = |predicted: &[usize]| {
        let pairs = test
            .gold
            .iter()
            .zip(predicted)
            .map(|(&g, &p)| (g, classes[p]));
        let c = Confusion::from_pairs(pairs.collect::<Vec<_>>());
        format!(
            "macro-recall {:.3}, accuracy {:.3}",
            c.macro_recall(),
            c.accuracy()
        )
    };
    let koe_pred = |m: &koe::sentiment::linear::LinearModel| -> Vec<usize> {
        test_x.iter().map(|f| m.argmax(f)).collect()
    };
    let what = "logistic regression";
    row(
        what,
        name,
        &format!("koe SGD, λ={l2:e} balanced (train() incl. {featurize_s:.2}s featurizing)"),
        &score(&koe_pred(&koe_model)),
        koe_s,
        koe_s,
    );
    row(
        what,
        name,
        "koe SGD, same λ, unweighted",
        &score(&koe_pred(&unweighted)),
        unweighted_s,
        koe_s,
    );
    row(
        what,
        name,
        "koe SGD, --l2 auto (6 fits on 80% + the final fit)",
        &score(&koe_pred(&auto)),
        auto_s,
        koe_s,
    );

    // linfa-logistic: the same features, dense, the same λ (its loss is a sum, koe's a mean).
    let mut df: HashMap<u32, usize> = HashMap::new();
    for f in &fit_x {
        let mut seen = f.indices.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            .for_each(|i| *df.entry(i).or_default() += 1);
    }
    let mut kept: Vec<(u32, usize)> = df.into_iter().filter(|&(_, n)| n >= 2).collect();
    kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(DENSE_COLUMNS);
    let column: HashMap<u32, usize> = kept.iter().enumerate().map(|(c, &(i, _))| (i, c)).collect();
    let dense = |xs: &[Features]| {
        let mut m = Array2::<f64>::zeros((xs.len(), column.len()));
        for (r, f) in xs.iter().enumerate() {
            for (i, v) in f.indices.iter().zip(&f.values) {
                if let Some(&c) = column.get(i) {
                    m[[r, c]] += f64::from(*v);
                }
            }
        }
        m
    };
    let targets: Array1<usize> = fit
        .gold
        .iter()
        .map(|g| classes.iter().position(|c| c == g).unwrap_or(0))
        .collect();
    let (train_m, test_m) = (dense(&fit_x), dense(&test_x));
    let dataset = Dataset::new(train_m, targets);
    let started = Stopwatch::start();
    let model = linfa_logistic::MultiLogisticRegression::default()
        .alpha(f64::from(l2) * fit_x.len() as f64)
        .max_iterations(100)
        .fit(&dataset)?;
    let linfa_s = started.seconds();
    let predicted = model.predict(&test_m);
    row(
        what,
        name,
        &format!(
            "linfa-logistic 0.8 L-BFGS (100 it.), same λ, unweighted, {} dense columns",
            column.len()
        ),
        &score(predicted.as_slice().unwrap_or(&[])),
        linfa_s,
        koe_s,
    );
    Ok(())
}

// ---------------------------------------------------------------- SVD and k-means

fn topics(analyzer: &TextAnalyzer, path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut gold_names: Vec<String> = Vec::new();
    let mut gold = Vec::new();
    let mut docs = Vec::new();
    for line in text.lines().skip(1) {
        let Some((label, body)) = line.split_once('\t') else {
            continue;
        };
        let id = match gold_names.iter().position(|n| n == label) {
            Some(id) => id,
            None => {
                gold_names.push(label.to_string());
                gold_names.len() - 1
            }
        };
        let lemmas: Vec<String> = analyzer
            .analyse(body, Some(Lang::En))?
            .content_lemmas()
            .map(str::to_lowercase)
            .collect();
        gold.push(id);
        docs.push(lemmas);
    }
    let k = gold_names.len();
    let (rows, n_cols) = tf_idf(&docs);
    let n = rows.len();
    let name = "bbc-news TF-IDF";
    let nnz: usize = rows.iter().map(Vec::len).sum();
    eprintln!("{name}: {n} documents × {n_cols} terms, {nnz} non-zeros, k = {k}");

    // koe's randomized SVD on all rows.
    let started = Stopwatch::start();
    let mut sparse = SparseRows::new();
    rows.iter().for_each(|r| sparse.push(r));
    let projection =
        truncated_svd(&sparse, LSA_DIMS, &mut seeded(7)).ok_or("empty SVD")?;
    let mut koe_vectors = vec![0.0f32; n * projection.dims];
    let mut koe_energy = 0.0f64;
    for (r, out) in rows
        .iter()
        .zip(koe_vectors.chunks_exact_mut(projection.dims))
    {
        koe_energy += f64::from(projection.project(r, out).unwrap_or(0.0)).powi(2);
    }
    let koe_svd_s = started.seconds();

    // faer: exact top singular triplets from the eigen-decomposition of A·Aᵀ.
    let started = Stopwatch::start();
    let mut a = Mat::<f64>::zeros(n, n_cols);
    for (i, r) in rows.iter().enumerate() {
        for &(c, v) in r {
            a[(i, c as usize)] = f64::from(v);
        }
    }
    let gram = &a * a.transpose();
    let eigen = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| format!("{e:?}"))?;
    let (u, s) = (eigen.U(), eigen.S().column_vector());
    // Eigenvalues ascend: the last LSA_DIMS are the top ones. Document i's LSA vector is
    // row i of U·Σ (= A·V), as koe's projection gives.
    let dims = LSA_DIMS.min(n);
    let mut faer_vectors = vec![0.0f32; n * dims];
    let mut faer_energy = 0.0f64;
    for j in 0..dims {
        let col = n - 1 - j;
        let lambda = s[col].max(0.0);
        faer_energy += lambda;
        let sigma = lambda.sqrt();
        for i in 0..n {
            faer_vectors[i * dims + j] = (u[(i, col)] * sigma) as f32;
        }
    }
    faer_vectors.chunks_exact_mut(dims).for_each(normalize);
    let faer_svd_s = started.seconds();
    let what = "truncated SVD (LSA 100)";
    row(
        what,
        name,
        "koe randomized SVD (2 power iterations, +10 oversampling)",
        &format!("energy {:.4} of exact", koe_energy / faer_energy),
        koe_svd_s,
        koe_svd_s,
    );
    row(
        what,
        name,
        "faer 0.23 dense A·Aᵀ + self_adjoint_eigen (exact)",
        "energy 1",
        faer_svd_s,
        koe_svd_s,
    );

    // k-means on the same unit vectors.
    let what = "k-means (k = gold classes)";
    let vectors = &koe_vectors;
    let d = projection.dims;
    let (nmi_koe, koe_s) = mean_over_seeds(
        |seed| {
            let (_, labels) = spherical_kmeans(vectors, d, k, &mut seeded(seed));
            labels.iter().map(|&l| l as usize).collect()
        },
        &gold,
    );
    row(
        what,
        "koe-LSA vectors",
        "koe spherical k-means (k-means++)",
        &format!("NMI {nmi_koe:.3}"),
        koe_s,
        koe_s,
    );
    let points = Array2::from_shape_vec((n, d), vectors.iter().map(|&x| f64::from(x)).collect())?;
    for runs in [1, 10] {
        let (nmi, secs) = mean_over_seeds(
            |seed| {
                let rng = <rand_xoshiro::Xoshiro256Plus as rand_xoshiro::rand_core::SeedableRng>::seed_from_u64(seed);
                let model = linfa_clustering::KMeans::params_with_rng(k, rng)
                    .n_runs(runs)
                    .fit(&DatasetBase::from(points.clone()))
                    .expect("k-means fits");
                model.predict(&points).to_vec()
            },
            &gold,
        );
        row(
            what,
            "koe-LSA vectors",
            &format!("linfa-clustering 0.8 KMeans (Euclidean, k-means++), n_runs {runs}"),
            &format!("NMI {nmi:.3}"),
            secs,
            koe_s,
        );
    }
    let (nmi_faer, faer_km_s) = mean_over_seeds(
        |seed| {
            let (_, labels) = spherical_kmeans(&faer_vectors, dims, k, &mut seeded(seed));
            labels.iter().map(|&l| l as usize).collect()
        },
        &gold,
    );
    row(
        what,
        "faer-LSA vectors",
        "koe spherical k-means on the exact SVD's vectors",
        &format!("NMI {nmi_faer:.3}"),
        faer_km_s,
        koe_s,
    );
    Ok(())
}

/// Mean NMI over KMEANS_SEEDS seeds, and the mean seconds of one fit.
fn mean_over_seeds(mut fit: impl FnMut(u64) -> Vec<usize>, gold: &[usize]) -> (f64, f64) {
    let (mut nmi_sum, mut secs) = (0.0, 0.0);
    for seed in 0..KMEANS_SEEDS {
        let started = Stopwatch::start();
        let labels = fit(seed);
        secs += started.seconds();
        nmi_sum += nmi(&labels, gold);
    }
    (nmi_sum / KMEANS_SEEDS as f64, secs / KMEANS_SEEDS as f64)
}

/// TF-IDF rows (sublinear tf, smooth idf, unit length) over terms in ≥ 2 documents.
fn tf_idf(docs: &[Vec<String>]) -> (Vec<Vec<(u32, f32)>>, usize) {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            .for_each(|t| *df.entry(t).or_default() += 1);
    }
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|&(_, &n)| n >= 2)
        .map(|(t, _)| *t)
        .collect();
    vocab.sort_unstable();
    let index: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i as u32))
        .collect();
    let n = docs.len() as f64;
    let rows = docs
        .iter()
        .map(|d| {
            let mut tf: HashMap<u32, f64> = HashMap::new();
            for t in d {
                if let Some(&i) = index.get(t.as_str()) {
                    *tf.entry(i).or_default() += 1.0;
                }
            }
            let mut row: Vec<(u32, f32)> = tf
                .into_iter()
                .map(|(i, c)| {
                    let idf = ((1.0 + n) / (1.0 + df[vocab[i as usize]] as f64)).ln() + 1.0;
                    (i, ((1.0 + c.ln()) * idf) as f32)
                })
                .collect();
            row.sort_unstable_by_key(|e| e.0);
            let norm = row.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt().max(1e-12);
            row.iter_mut().for_each(|e| e.1 /= norm);
            row
        })
        .collect();
    (rows, vocab.len())
}

fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-12 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Normalized mutual information, arithmetic mean of the entropies (scikit-learn's default).
fn nmi(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len() as f64;
    let mut joint: HashMap<(usize, usize), f64> = HashMap::new();
    let mut pa: HashMap<usize, f64> = HashMap::new();
    let mut pb: HashMap<usize, f64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_default() += 1.0;
        *pa.entry(x).or_default() += 1.0;
        *pb.entry(y).or_default() += 1.0;
    }
    let entropy =
        |p: &HashMap<usize, f64>| -> f64 { p.values().map(|&c| -(c / n) * (c / n).ln()).sum() };
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| (c / n) * ((c * n) / (pa[&x] * pb[&y])).ln())
        .sum();
    let h = (entropy(&pa) + entropy(&pb)) / 2.0;
    if h <= 0.0 { 1.0 } else { mi / h }
}

// ---------------------------------------------------------------- RNG

fn rng() {
    use rand::rngs::{SmallRng, StdRng};
    use rand::seq::SliceRandom;
    use rand::{RngCore, SeedableRng};
    const DRAWS: u64 = 200_000_000;
    let time = |f: &mut dyn FnMut() -> u64| {
        let started = Stopwatch::start();
        let mut acc = 0u64;
        for _ in 0..DRAWS {
            acc = acc.wrapping_add(f());
        }
        black_box(acc);
        started.seconds()
    };
    let mut koe = SplitMix64::new(42);
    let koe_s = time(&mut || koe.next_u64());
    let mut small = SmallRng::seed_from_u64(42);
    let small_s = time(&mut || small.next_u64());
    let mut std = StdRng::seed_from_u64(42);
    let std_s = time(&mut || std.next_u64());
    let what = "RNG";
    let data = "200M next_u64";
    // SplitMix64's published reference output for seed 0 (Vigna's splitmix64.c).
    let reference = SplitMix64::new(0).next_u64() == 0xe220_a839_7b1d_cdaf;
    row(
        what,
        data,
        "koe SplitMix64",
        &format!("fixed by spec (reference output matches: {reference})"),
        koe_s,
        koe_s,
    );
    row(
        what,
        data,
        "rand 0.9 SmallRng (Xoshiro256++)",
        "non-portable: may change in any release",
        small_s,
        koe_s,
    );
    row(
        what,
        data,
        "rand 0.9 StdRng (ChaCha12)",
        "not value-stable across releases",
        std_s,
        koe_s,
    );

    let mut items: Vec<u32> = (0..1_000_000).collect();
    let data = "20 × shuffle of 1M";
    let started = Stopwatch::start();
    let mut koe = SplitMix64::new(42);
    for _ in 0..20 {
        koe.shuffle(&mut items);
    }
    let koe_s = started.seconds();
    let started = Stopwatch::start();
    let mut small = SmallRng::seed_from_u64(42);
    for _ in 0..20 {
        items.shuffle(&mut small);
    }
    let small_s = started.seconds();
    black_box(&items);
    row(what, data, "koe SplitMix64 Fisher–Yates", "-", koe_s, koe_s);
    row(
        what,
        data,
        "rand 0.9 SliceRandom::shuffle + SmallRng",
        "-",
        small_s,
        koe_s,
    );
}

// ---------------------------------------------------------------- timing

/// Process CPU time (user + system, all threads): the shared machine's load inflates
/// wall time by whatever else runs, CPU time much less.
struct Stopwatch(f64);

impl Stopwatch {
    fn start() -> Self {
        Stopwatch(cpu_seconds())
    }

    fn seconds(&self) -> f64 {
        cpu_seconds() - self.0
    }
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
