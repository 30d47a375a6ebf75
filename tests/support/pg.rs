//! A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `pg_ctl start` on a free
//! loopback port, stopped and removed on drop. Runs the server as `postgres` when the test runs as
//! root (PostgreSQL refuses to run as root).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Cluster {
    bindir: PathBuf,
    psql: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

/// Why no cluster could be started.
pub enum Unavailable {
    /// Binaries are missing and `TOLLGATE_SKIP_PG=1` allows skipping.
    Skipped(String),
}

fn find_bindir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("TOLLGATE_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Some(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, dir)| dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}

fn check(what: &str, out: std::io::Result<Output>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Cluster {
    /// Starts a cluster, or explains why not. Missing binaries fail the test unless
    /// `TOLLGATE_SKIP_PG=1` is set.
    pub fn start() -> Result<Cluster, Unavailable> {
        let Some(bindir) = find_bindir() else {
            let message = "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's \
                           `postgresql` package (apt-get install -y postgresql), set \
                           TOLLGATE_PG_BINDIR, or set TOLLGATE_SKIP_PG=1 to skip";
            if std::env::var("TOLLGATE_SKIP_PG").as_deref() == Ok("1") {
                return Err(Unavailable::Skipped(message.into()));
            }
            panic!("{message}");
        };
        let psql = [bindir.join("psql"), PathBuf::from("/usr/bin/psql")]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("psql not found next to {}", bindir.display()));
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("tollgate-pg-")
            .tempdir()
            .expect("temp dir");
        if as_postgres {
            check(
                "chown temp dir to postgres",
                Command::new("chown")
                    .args(["-R", "postgres:"])
                    .arg(dir.path())
                    .output(),
            );
        }
        let mut cluster = Cluster {
            bindir,
            psql,
            dir,
            port: 0,
            as_postgres,
        };
        let data = cluster.dir.path().join("data");
        cluster.server_cmd(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        // A port picked free can be taken before the server binds it: retry a few times.
        for attempt in 0..5 {
            cluster.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                cluster.port,
                cluster.dir.path().display()
            );
            let log = cluster.dir.path().join("server.log");
            let out = cluster.server_output(
                "pg_ctl",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-o",
                    &options,
                    "-l",
                    &log.to_string_lossy(),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            );
            if out.status.success() {
                return Ok(cluster);
            }
            if attempt == 4 {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                panic!(
                    "pg_ctl start failed:\n{}\n{}\n{log}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        unreachable!("the loop returns or panics")
    }

    fn server_output(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bindir.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        cmd.args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }

    fn server_cmd(&self, tool: &str, args: &[&str]) {
        let out = self.server_output(tool, args);
        assert!(
            out.status.success(),
            "{tool} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn psql_cmd(&self, db: &str) -> Command {
        let mut cmd = Command::new(&self.psql);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db])
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE");
        cmd
    }

    /// Runs SQL text in its own session; panics with psql's error on failure.
    pub fn run(&self, db: &str, what: &str, sql: &str) {
        let file = self.dir.path().join("input.sql");
        std::fs::write(&file, sql).expect("write sql");
        check(what, self.psql_cmd(db).arg("-f").arg(&file).output());
    }

    /// Runs a query and returns its rows, fields separated by `|`.
    pub fn query(&self, db: &str, sql: &str) -> Vec<String> {
        let out = check(
            "catalog query",
            self.psql_cmd(db)
                .args(["-A", "-t", "-F", "|", "-c", sql])
                .output(),
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self.server_output(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}
