//! The chart model: a chart's id (its file stem, shared by the chart files, the HTML and the
//! tests), title, axes and lines, built by each workload's module from its figures and drawn by
//! `chart_drawing`. Data only.

use std::collections::BTreeMap;

/// One line of a chart: a variant's points, (x, y, y_low, y_high); NaN bounds draw no error bar.
#[derive(Debug, Clone)]
pub struct Line {
    pub variant: String,
    pub points: Vec<(f64, f64, f64, f64)>,
    pub label: String,
    /// Second and later models of a language are dashed (set by `Chart::new`).
    pub(super) dashed: bool,
    /// x positions marked by a vertical line in this line's colour (e.g. changepoints).
    pub marks: Vec<f64>,
}

impl Line {
    pub fn new(variant: &str, label: String, points: Vec<(f64, f64, f64, f64)>) -> Line {
        Line {
            variant: variant.into(),
            points,
            label,
            dashed: false,
            marks: Vec::new(),
        }
    }

    pub fn with_marks(mut self, marks: Vec<f64>) -> Line {
        self.marks = marks;
        self
    }
}

/// A dashed reference line y = min(x, cores), e.g. the ideal speedup.
#[derive(Debug, Clone)]
pub struct ReferenceLine {
    pub label: String,
    pub cores: f64,
}

/// One chart: its id (the file stem, shared with the HTML and the tests), axes and lines.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_axes: bool,
    /// With `log_axes`, keep x linear: numbered categories (kernels, phases) on a log y.
    pub linear_x: bool,
    pub reference: Option<ReferenceLine>,
    pub lines: Vec<Line>,
    /// Draw each line's interval as a translucent band instead of error bars (trends).
    pub bands: bool,
    /// One panel per variant (its lines together, its own axes), in a grid; points are not
    /// circled, so long series stay readable.
    pub panels: bool,
}

impl Chart {
    /// A chart of `lines`, dashing every model after a language's first, in variant order.
    pub fn new(
        id: &'static str,
        title: String,
        x_label: String,
        y_label: String,
        log_axes: bool,
        mut lines: Vec<Line>,
    ) -> Chart {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for line in lines.iter_mut() {
            let count = seen.entry(language_of(&line.variant).to_string()).or_default();
            line.dashed = *count > 0;
            *count += 1;
        }
        Chart {
            id,
            title,
            x_label,
            y_label,
            log_axes,
            linear_x: false,
            reference: None,
            lines,
            bands: false,
            panels: false,
        }
    }

    pub fn with_panels(mut self) -> Chart {
        self.panels = true;
        self
    }

    pub fn with_linear_x(mut self) -> Chart {
        self.linear_x = true;
        self
    }

    pub fn with_bands(mut self) -> Chart {
        self.bands = true;
        self
    }

    pub fn with_reference(mut self, reference: ReferenceLine) -> Chart {
        self.reference = Some(reference);
        self
    }
}

pub(super) fn language_of(variant: &str) -> &str {
    variant.split('/').next().unwrap_or(variant)
}
