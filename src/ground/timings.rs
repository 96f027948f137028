//! With `DAFU_TIMINGS=1`, one line per build stage on stderr, its time and
//! the peak memory so far where the system tells it
//! (`timing pages 512.3 ms 301 MiB`), for `benches/bench.py` to read.
//! Costs one `Instant` per stage and prints nothing unless asked.

use std::time::Instant;

pub(crate) struct Stages {
    last: Option<Instant>,
}

impl Stages {
    /// Stages that say nothing.
    pub(crate) fn off() -> Stages {
        Stages { last: None }
    }

    /// On when `DAFU_TIMINGS` is set to anything but `0`.
    pub(crate) fn from_env() -> Stages {
        let on = std::env::var_os("DAFU_TIMINGS").is_some_and(|v| v != "0" && !v.is_empty());
        Stages {
            last: on.then(Instant::now),
        }
    }

    /// Reports the time since the previous stage ended, under `stage`.
    pub(crate) fn done(&mut self, stage: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            let ms = (now - last).as_secs_f64() * 1e3;
            match peak_memory_mib() {
                Some(mib) => eprintln!("timing {stage} {ms:.1} ms {mib} MiB"),
                None => eprintln!("timing {stage} {ms:.1} ms"),
            }
            self.last = Some(now);
        }
    }
}

/// The process's peak resident memory so far (Linux's VmHWM).
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
