//! berth-helper: the single-threaded process that will set up namespaces, pivot_root and exec a
//! container's init between fork and exec (work Node cannot do safely). For now it only answers
//! `--version`, so the build and the driver can already find and spawn it.

use std::process::ExitCode;

const USAGE: &str = "usage: berth-helper --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--version" => {
            println!("berth-helper {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            // 2, as getopt-style tools exit on bad usage.
            ExitCode::from(2)
        }
    }
}
