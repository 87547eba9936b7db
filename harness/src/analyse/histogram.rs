//! Latency histograms as the results store them: the one shape every recorder uses (1 ns to 1 h
//! at 3 significant digits), their text encoding (HdrHistogram V2 + DEFLATE, base64, as in
//! HdrHistogram's interval logs), merging across repetitions, the percentile summary with its
//! sample-count gates, and the `.hgrm` percentile-distribution text that HdrHistogram's own
//! tools print. Pure functions: it must not record requests, read files or name a workload.

use anyhow::{Context, Result};
use arena_results::LatencySummary;
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

/// 1 ns floor: a 1 µs floor keeps whole microseconds, ±0.5 µs or ±4.5% of an 11 µs loopback
/// round trip; with 3 significant digits every value keeps 0.1% resolution.
pub const LOWEST_NS: u64 = 1;
pub const HIGHEST_NS: u64 = 3_600_000_000_000;
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A percentile q is shown only with at least this many samples at or beyond it.
pub const MIN_SAMPLES_BEYOND: f64 = 10.0;
/// p99.9 needs 100,000 samples (100 beyond it): with 10 beyond, its sampling error is still
/// large enough that a stall or two moves it (docs/methodology.md, "Latency under load").
pub const P999_MIN_SAMPLES: u64 = 100_000;

pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_DIGITS).expect("valid histogram bounds")
}

/// V2 + DEFLATE, base64: the `HISTFAAA…` strings of HdrHistogram's interval logs.
pub fn encode(histogram: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(histogram, &mut bytes)
        .expect("serializing into memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn decode(text: &str) -> Result<Histogram<u64>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .context("a stored histogram is not base64")?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| anyhow::anyhow!("a stored histogram does not decode: {e:?}"))
}

/// The union of several histograms (e.g. one step's stream over every repetition): a
/// percentile of the merge is a percentile of all the requests, not a median of percentiles.
pub fn merge<'a>(histograms: impl IntoIterator<Item = &'a Histogram<u64>>) -> Histogram<u64> {
    let mut merged = new_histogram();
    for h in histograms {
        merged.add(h).expect("histograms share the recorder's bounds");
    }
    merged
}

/// Percentiles that pass the sample gates; the rest are `None`.
pub fn summarize(histogram: &Histogram<u64>) -> LatencySummary {
    let count = histogram.len();
    let at = |q: f64| {
        let beyond = count as f64 * (1.0 - q);
        (count > 0 && beyond >= MIN_SAMPLES_BEYOND - 1e-9).then(|| histogram.value_at_quantile(q))
    };
    LatencySummary {
        count,
        mean_ns: (count > 0).then(|| histogram.mean().round() as u64),
        p50_ns: at(0.50),
        p90_ns: at(0.90),
        p99_ns: at(0.99),
        p999_ns: if count >= P999_MIN_SAMPLES {
            at(0.999)
        } else {
            None
        },
        max_ns: (count > 0).then(|| histogram.max()),
    }
}

/// The `.hgrm` text of `HistogramLogProcessor` / `outputPercentileDistribution`: values in
/// `unit_ns` units (1000: microseconds), 5 reporting ticks per half distance.
pub fn hgrm(histogram: &Histogram<u64>, unit_ns: f64) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    for v in histogram.iter_quantiles(5) {
        let q = v.quantile_iterated_to();
        let value = v.value_iterated_to() as f64 / unit_ns;
        if q < 1.0 {
            let _ = writeln!(
                out,
                "{value:>12.3} {q:>14.12} {:>10} {:>14.2}",
                v.count_since_last_iteration(),
                1.0 / (1.0 - q)
            );
        } else {
            let _ = writeln!(
                out,
                "{value:>12.3} {q:>14.12} {:>10}",
                v.count_since_last_iteration()
            );
        }
    }
    let _ = writeln!(
        out,
        "#[Mean    = {:>12.3}, StdDeviation   = {:>12.3}]",
        histogram.mean() / unit_ns,
        histogram.stdev() / unit_ns
    );
    let _ = writeln!(
        out,
        "#[Max     = {:>12.3}, Total count    = {:>12}]",
        histogram.max() as f64 / unit_ns,
        histogram.len()
    );
    let _ = writeln!(
        out,
        "#[Buckets = {:>12}, SubBuckets     = {:>12}]",
        histogram.buckets(),
        sub_bucket_count(histogram.sigfig())
    );
    out
}

/// HdrHistogram's sub-bucket count: the power of two that holds 2 × 10^digits.
fn sub_bucket_count(significant_digits: u8) -> u64 {
    (2.0 * 10f64.powi(significant_digits as i32)).log2().ceil().exp2() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_exactly() {
        let mut h = new_histogram();
        for v in [1u64, 11_000, 11_001, 250_000, 1_000_000_000] {
            h.record_n(v, 3).unwrap();
        }
        let back = decode(&encode(&h)).unwrap();
        assert_eq!(back.len(), h.len());
        assert_eq!(back.max(), h.max());
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
        assert!(decode("not base64!").is_err());
    }

    #[test]
    fn a_1_ns_floor_resolves_a_loopback_round_trip() {
        let mut h = new_histogram();
        h.record(11_234).unwrap();
        let p50 = h.value_at_quantile(0.5);
        assert!((11_224..=11_244).contains(&p50), "{p50}");
    }

    #[test]
    fn merging_pools_requests_not_percentiles() {
        // One fast repetition and one with a slow tail: the pooled p99 sees the tail's share.
        let (mut fast, mut slow) = (new_histogram(), new_histogram());
        fast.record_n(1_000, 990).unwrap();
        fast.record_n(2_000, 10).unwrap();
        slow.record_n(1_000, 900).unwrap();
        slow.record_n(50_000, 100).unwrap();
        let merged = merge([&fast, &slow]);
        assert_eq!(merged.len(), 2000);
        let p99 = summarize(&merged).p99_ns.unwrap();
        assert!((49_950..=50_050).contains(&p99), "{p99}");
    }

    #[test]
    fn percentiles_need_samples_beyond_them() {
        let mut h = new_histogram();
        for v in 1..=1000u64 {
            h.record(v * 1_000).unwrap();
        }
        let s = summarize(&h);
        assert!(s.p99_ns.is_some(), "10 samples at or beyond p99");
        assert!(s.p999_ns.is_none(), "p99.9 needs 100k samples");
        h.record_n(5_000, 99_000).unwrap();
        assert!(summarize(&h).p999_ns.is_some());
    }

    #[test]
    fn hgrm_text_has_the_standard_header_and_footer() {
        let mut h = new_histogram();
        for v in 1..=100u64 {
            h.record(v * 1_000).unwrap();
        }
        let text = hgrm(&h, 1000.0);
        assert!(text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)"));
        // 100 µs is kept to 3 significant digits: the bucket's highest value, within 0.1%.
        assert!(text.contains("#[Max     =      100.0"), "{text}");
        assert!(text.contains("Total count    =          100]"), "{text}");
        let last_row = text
            .lines()
            .rfind(|l| !l.starts_with('#') && !l.is_empty())
            .unwrap();
        assert!(last_row.contains("1.000000000000"), "{last_row}");
        assert_eq!(sub_bucket_count(3), 2048);
    }
}
