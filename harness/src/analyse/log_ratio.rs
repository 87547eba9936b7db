//! The ratio NEW/BASE of one figure as a shift on the log scale, with Student-t inference: the
//! paired form (one log ratio per round of `--run-both`, both sides measured side by side) and
//! Welch's form (two runs measured apart, no pairing). It gives the estimate, an interval at any
//! level, a two-sided p-value, and the smallest shift detectable at a given level and power.
//! `arena compare` builds its family of tests on it (analyse::compare). Pure functions; it must
//! not know what the numbers measure.
//!
//! Why t and not an exact rank test: at the sizes a pull-request suite affords (6 to 10 per
//! side) the smallest p an exact rank test can reach is 0.002 (Mann–Whitney, 6 against 6;
//! Wilcoxon signed-rank, 10 pairs), so no correction over a family of more than about 20 cases
//! can ever reject. The t statistic's p has no such floor. Its level under noise that is not
//! log-normal is checked by simulation (tests/compare_gate.rs; docs/methodology.md, "Comparing
//! two runs").

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A shift of log(NEW) against log(BASE) with its standard error and degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogShift {
    /// Mean log ratio: exp(estimate) is the geometric-mean ratio NEW/BASE.
    pub estimate: f64,
    pub standard_error: f64,
    pub degrees_of_freedom: f64,
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

fn t_quantile(degrees_of_freedom: f64, p: f64) -> f64 {
    StudentsT::new(0.0, 1.0, degrees_of_freedom)
        .map(|t| t.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

impl LogShift {
    /// From per-round log ratios log(new_r / base_r); needs at least 2.
    pub fn paired(log_ratios: &[f64]) -> Option<LogShift> {
        let n = log_ratios.len();
        (n >= 2).then(|| LogShift {
            estimate: mean(log_ratios),
            standard_error: (variance(log_ratios) / n as f64).sqrt(),
            degrees_of_freedom: (n - 1) as f64,
        })
    }

    /// From the logs of two independent samples (Welch–Satterthwaite degrees of freedom); needs
    /// at least 2 on each side.
    pub fn welch(log_base: &[f64], log_new: &[f64]) -> Option<LogShift> {
        let (nb, nn) = (log_base.len() as f64, log_new.len() as f64);
        if nb < 2.0 || nn < 2.0 {
            return None;
        }
        let (vb, vn) = (variance(log_base) / nb, variance(log_new) / nn);
        let se2 = vb + vn;
        let df = if se2 > 0.0 {
            se2.powi(2) / (vb.powi(2) / (nb - 1.0) + vn.powi(2) / (nn - 1.0))
        } else {
            nb + nn - 2.0
        };
        Some(LogShift {
            estimate: mean(log_new) - mean(log_base),
            standard_error: se2.sqrt(),
            degrees_of_freedom: df,
        })
    }

    /// The two-sided p-value of "no shift". With no spread at all it is 1 for a zero shift and
    /// 0 for any other.
    pub fn p_value(&self) -> f64 {
        if self.standard_error == 0.0 {
            return if self.estimate == 0.0 { 1.0 } else { 0.0 };
        }
        let t = (self.estimate / self.standard_error).abs();
        let tail = StudentsT::new(0.0, 1.0, self.degrees_of_freedom)
            .map(|d| 1.0 - d.cdf(t))
            .unwrap_or(f64::NAN);
        (2.0 * tail).min(1.0)
    }

    /// The two-sided interval of the log shift at `level`.
    pub fn interval(&self, level: f64) -> (f64, f64) {
        let half = t_quantile(self.degrees_of_freedom, 0.5 + level / 2.0) * self.standard_error;
        (self.estimate - half, self.estimate + half)
    }

    /// The smallest log shift a two-sided test at `alpha` detects with probability `power`
    /// at this standard error: (t_{1−α/2} + t_{power}) · se, the usual normal-theory
    /// approximation with t quantiles (the simulation in tests/compare_gate.rs checks it).
    pub fn detectable(&self, alpha: f64, power: f64) -> f64 {
        let df = self.degrees_of_freedom;
        (t_quantile(df, 1.0 - alpha / 2.0) + t_quantile(df, power)) * self.standard_error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_matches_a_hand_computed_t_test() {
        // Log ratios 0.1, 0.2, 0.3: mean 0.2, sd 0.1, se 0.0577, t = 3.464 on 2 df, p = 0.0742.
        let s = LogShift::paired(&[0.1, 0.2, 0.3]).unwrap();
        assert!((s.estimate - 0.2).abs() < 1e-12);
        assert!((s.standard_error - 0.1 / 3f64.sqrt()).abs() < 1e-12);
        assert!((s.p_value() - 0.0742).abs() < 1e-3, "{}", s.p_value());
        // 95% interval: 0.2 ± 4.303 · 0.0577.
        let (low, high) = s.interval(0.95);
        assert!((high - low - 2.0 * 4.3027 * 0.057735).abs() < 1e-3);
        assert!(LogShift::paired(&[0.1]).is_none());
    }

    #[test]
    fn welch_matches_a_hand_computed_t_test() {
        // Variances 1 and 4 over 5 each: se² = 0.2 + 0.8 = 1, df = 1 / (0.04/4 + 0.64/4) = 5.882.
        let base = [-2.0f64.sqrt(), -0.5f64.sqrt(), 0.0, 0.5f64.sqrt(), 2.0f64.sqrt()]
            .map(|v| v * (1.0f64 / 1.25).sqrt());
        let sd1: Vec<f64> = base.to_vec();
        let sd2: Vec<f64> = base.iter().map(|v| 3.0 + 2.0 * v).collect();
        let s = LogShift::welch(&sd1, &sd2).unwrap();
        assert!((s.estimate - 3.0).abs() < 1e-12);
        assert!((s.standard_error - 1.0).abs() < 1e-9, "{s:?}");
        assert!((s.degrees_of_freedom - 5.882).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn no_spread_is_certain_either_way() {
        assert_eq!(LogShift::paired(&[0.0; 4]).unwrap().p_value(), 1.0);
        assert_eq!(LogShift::paired(&[0.2; 4]).unwrap().p_value(), 0.0);
    }

    #[test]
    fn detectable_shift_grows_with_the_noise_and_the_level() {
        let s = LogShift::paired(&[0.01, -0.01, 0.02, -0.02, 0.0, 0.01, -0.01, 0.0, 0.02, -0.02]).unwrap();
        let at_5 = s.detectable(0.05, 0.8);
        // df 9: (2.262 + 0.883) · se.
        assert!((at_5 - 3.145 * s.standard_error).abs() < 1e-3, "{at_5}");
        assert!(s.detectable(0.05 / 18.0, 0.8) > at_5);
    }
}
