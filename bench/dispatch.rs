//! The questions `bench/summary.mjs` asks over HTTP, asked of the engine in this process instead:
//! what the shells add (HTTP, IPC) taken away, as DuckDB is asked in its Python's process.
//! Each request is parsed from its JSON, dispatched, and its answer written out as JSON, as a
//! shell does; once to warm up, then timed RUNS times.
//! `cargo run --release -p invlog-app --example bench_dispatch -- STORE RUNS QUESTIONS.json`
//! QUESTIONS: `[{"name": …, "request": {"command": …, "args": …}}]`. Prints `{name: [ms, …]}`.

use std::time::Instant;

use invlog_app::{Engine, Request};
use serde_json::{json, Map, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, runs, questions] = args.as_slice() else {
        return Err("usage: bench_dispatch STORE RUNS QUESTIONS.json".into());
    };
    let runs: usize = runs.parse()?;
    let questions: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(questions)?)?;
    let engine = Engine::open(std::path::Path::new(store))?;
    let ask = |request: &str| -> Result<usize, Box<dyn std::error::Error>> {
        let request: Request = serde_json::from_str(request)?;
        let response = engine.dispatch(request)?;
        Ok(serde_json::to_vec(&response)?.len())
    };
    let mut out = Map::new();
    for q in &questions {
        let name = q["name"].as_str().ok_or("a question without a name")?;
        let request = q["request"].to_string();
        ask(&request)?;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t0 = Instant::now();
            ask(&request)?;
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        out.insert(name.to_owned(), json!(times));
    }
    println!("{}", Value::Object(out));
    Ok(())
}
