//! Process figures from /proc: CPU time and peak resident memory.

/// User + system CPU seconds of this process so far.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds per live thread, at nanosecond resolution (`/proc/self/task/*/schedstat`);
/// finer than [`cpu_seconds`] (10 ms ticks) for an idle process.
pub fn cpu_by_thread() -> std::collections::HashMap<String, f64> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Default::default();
    };
    tasks
        .flatten()
        .filter_map(|t| {
            let ns = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
            let ns = ns.split_whitespace().next()?.parse::<f64>().ok()?;
            Some((t.file_name().to_string_lossy().into_owned(), ns / 1e9))
        })
        .collect()
}

/// CPU seconds spent since `before` by the threads alive now (threads that ended meanwhile
/// only lose what they spent in the window, which for an idle engine is nothing).
pub fn cpu_since(before: &std::collections::HashMap<String, f64>) -> f64 {
    cpu_by_thread()
        .into_iter()
        .map(|(tid, now)| now - before.get(&tid).copied().unwrap_or(0.0))
        .sum()
}

/// Peak resident set size in MiB (VmHWM).
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resets the peak resident set size to the current one (Linux `clear_refs` value 5).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Resident set size now in MiB (VmRSS).
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
