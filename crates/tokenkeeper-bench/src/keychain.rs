//! What the real keychain costs: one write, read and delete, as the engine does them.

use std::time::Instant;

use tokenkeeper_core::store::keychain::{Keychain, SecretKind, SecretStore};
use tokenkeeper_core::{AccountId, Secret};

fn summary(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| {
        ms.get(((ms.len().saturating_sub(1)) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    serde_json::json!({ "mean_ms": ms.iter().sum::<f64>() / ms.len().max(1) as f64, "p50_ms": at(0.5), "p99_ms": at(0.99) })
}

/// Times `ops` writes, reads and deletes of a JWT-sized secret.
pub async fn run(ops: usize) -> anyhow::Result<()> {
    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<serde_json::Value> {
        let store = Keychain::new();
        let value = Secret::new("x".repeat(1200));
        let ids: Vec<AccountId> = (0..ops).map(|_| AccountId::generate()).collect();
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        for id in &ids {
            let t = Instant::now();
            store.set(*id, SecretKind::Access, &value)?;
            times[0].push(t.elapsed().as_secs_f64() * 1000.0);
        }
        for id in &ids {
            let t = Instant::now();
            store.get(*id, SecretKind::Access)?;
            times[1].push(t.elapsed().as_secs_f64() * 1000.0);
        }
        for id in &ids {
            let t = Instant::now();
            store.delete(*id, SecretKind::Access)?;
            times[2].push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let [set, get, delete] = times;
        Ok(serde_json::json!({ "benchmark": "keychain", "ops": ops, "write": summary(set), "read": summary(get), "delete": summary(delete) }))
    })
    .await??;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
