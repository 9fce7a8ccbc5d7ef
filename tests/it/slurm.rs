//! A real single-node Slurm on loopback: the shipped `slurm/submit.sh` submits a 4-task array
//! of `talentsim sweep` plus a merge job (`--dependency=afterok`), and the merged results are
//! byte-identical to a one-process run; then one shard is made to fail, and the merge job
//! (`--dependency=afterany`) reports the missing points.
//!
//! Needs Debian's `munge slurmctld slurmd slurm-client` and root (`.ci/run` installs them).
//! The test skips, passing with a message, only when `slurmctld` is not installed and
//! `TALENTSIM_REQUIRE_SLURM` is unset. The daemons (munged if this test started it,
//! slurmctld, slurmd) are stopped by their PIDs when the test ends, pass or fail.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn find(prog: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"])
        .map(|d| Path::new(d).join(prog))
        .find(|p| p.is_file())
}

/// Daemons started by this test, stopped (by PID) on drop.
struct Daemons {
    children: Vec<(String, Child)>,
    munged_pid: Option<u32>,
    dir: PathBuf,
}

impl Drop for Daemons {
    fn drop(&mut self) {
        for (name, c) in self.children.iter_mut().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let t = Instant::now();
            while c.try_wait().ok().flatten().is_none() && t.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if c.try_wait().ok().flatten().is_none() {
                eprintln!("{name} did not stop on SIGTERM: killing it");
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if let Some(pid) = self.munged_pid {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        if std::thread::panicking() {
            for log in ["slurmctld.log", "slurmd.log"] {
                if let Ok(t) = fs::read_to_string(self.dir.join(log)) {
                    let tail: Vec<&str> = t.lines().rev().take(30).collect();
                    eprintln!("--- last lines of {log} ---");
                    for l in tail.iter().rev() {
                        eprintln!("{l}");
                    }
                }
            }
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn munge_works() -> bool {
    let Ok(enc) = Command::new("munge").arg("-n").output() else {
        return false;
    };
    if !enc.status.success() {
        return false;
    }
    let mut dec = match Command::new("unmunge")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return false,
    };
    use std::io::Write;
    let _ = dec.stdin.take().unwrap().write_all(&enc.stdout);
    dec.wait().is_ok_and(|s| s.success())
}

/// Start munged (as user munge) unless one is running; returns its PID if started here.
fn start_munge() -> Option<u32> {
    if munge_works() {
        return None;
    }
    let run = Path::new("/run/munge");
    fs::create_dir_all(run).expect("create /run/munge");
    let sh = |cmd: &str| {
        let st = Command::new("sh").args(["-c", cmd]).status().unwrap();
        assert!(st.success(), "`{cmd}` failed");
    };
    sh("chown munge:munge /run/munge && chmod 0755 /run/munge");
    if !Path::new("/etc/munge/munge.key").exists() {
        sh(
            "mkdir -p /etc/munge && (mungekey --create --keyfile=/etc/munge/munge.key || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024) && chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key",
        );
    }
    let _ = fs::remove_file("/run/munge/munged.pid");
    sh("runuser -u munge -- /usr/sbin/munged");
    let t = Instant::now();
    while !munge_works() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "munged did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    fs::read_to_string("/run/munge/munged.pid")
        .ok()
        .and_then(|p| p.trim().parse().ok())
}

fn slurm_cmd(conf: &Path, prog: &str) -> Command {
    let mut c = Command::new(prog);
    c.env("SLURM_CONF", conf);
    c
}

fn out_text(c: &mut Command) -> String {
    let o = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        o.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn job_field(conf: &Path, job: &str, field: &str) -> Option<String> {
    let o = slurm_cmd(conf, "scontrol")
        .args(["show", "job", job])
        .output()
        .ok()?;
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    t.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{field}=")).map(str::to_string))
}

/// Wait until job `job` (not an array) has ended; returns (state, exit code).
fn wait_job(conf: &Path, job: &str, limit: Duration) -> (String, String) {
    let t = Instant::now();
    loop {
        if let Some(state) = job_field(conf, job, "JobState")
            && matches!(
                state.as_str(),
                "COMPLETED" | "FAILED" | "CANCELLED" | "TIMEOUT" | "NODE_FAIL" | "OUT_OF_MEMORY"
            )
        {
            return (state, job_field(conf, job, "ExitCode").unwrap_or_default());
        }
        if t.elapsed() > limit {
            let q = slurm_cmd(conf, "squeue").output().unwrap();
            panic!(
                "job {job} did not finish in {limit:?}; squeue:\n{}",
                String::from_utf8_lossy(&q.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn sweep_as_a_slurm_array_with_a_dependent_merge() {
    let required = std::env::var_os("TALENTSIM_REQUIRE_SLURM").is_some();
    let (Some(ctld), Some(slurmd)) = (find("slurmctld"), find("slurmd")) else {
        assert!(
            !required,
            "TALENTSIM_REQUIRE_SLURM is set but slurmctld/slurmd are not installed (apt-get install munge slurmctld slurmd slurm-client)"
        );
        eprintln!(
            "skipped: slurmctld is not installed (set TALENTSIM_REQUIRE_SLURM=1 to make this an error)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_path_buf();
    for sub in ["state", "spool", "out"] {
        fs::create_dir_all(d.join(sub)).unwrap();
    }
    let munged_pid = start_munge();
    let mut daemons = Daemons {
        children: Vec::new(),
        munged_pid,
        dir: d.clone(),
    };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let conf = d.join("slurm.conf");
    let p = |x: &str| d.join(x).to_str().unwrap().to_string();
    fs::write(
        &conf,
        format!(
            "ClusterName=talentsimtest
SlurmctldHost=localhost
SlurmctldAddr=127.0.0.1
SlurmUser=root
SlurmdUser=root
SlurmctldPort={}
SlurmdPort={}
AuthType=auth/munge
StateSaveLocation={}
SlurmdSpoolDir={}
SlurmctldPidFile={}
SlurmdPidFile={}
SlurmctldLogFile={}
SlurmdLogFile={}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={}
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=16000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
",
            free_port(),
            free_port(),
            p("state"),
            p("spool"),
            p("slurmctld.pid"),
            p("slurmd.pid"),
            p("slurmctld.log"),
            p("slurmd.log"),
            p("jobcomp.txt"),
        ),
    )
    .unwrap();
    let spawn = |prog: &Path, args: &[&str], log: &str| {
        slurm_cmd(&conf, prog.to_str().unwrap())
            .args(args)
            .stdout(fs::File::create(d.join(log)).unwrap())
            .stderr(Stdio::from(
                fs::File::create(d.join(format!("{log}.err"))).unwrap(),
            ))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", prog.display()))
    };
    let c = spawn(
        &ctld,
        &["-D", "-i", "-f", conf.to_str().unwrap()],
        "ctld.out",
    );
    daemons.children.push(("slurmctld".into(), c));
    let c = spawn(
        &slurmd,
        &["-D", "-N", "localhost", "-f", conf.to_str().unwrap()],
        "slurmd.out",
    );
    daemons.children.push(("slurmd".into(), c));

    // Wait for the node.
    let t = Instant::now();
    loop {
        let o = slurm_cmd(&conf, "sinfo")
            .args(["-h", "-o", "%T"])
            .output()
            .unwrap();
        let state = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if state == "idle" {
            break;
        }
        if state.starts_with("down") || state.starts_with("drain") {
            let _ = slurm_cmd(&conf, "scontrol")
                .args(["update", "nodename=localhost", "state=resume"])
                .status();
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "the Slurm node did not come up (state `{state}`)"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    let bin = env!("CARGO_BIN_EXE_talentsim");
    let sweep_file = root().join("tests/fixtures/sweeps/minimal-lhs.toml");
    // The reference: one process.
    let one = d.join("one");
    let o = Command::new(bin)
        .args([
            "sweep",
            sweep_file.to_str().unwrap(),
            "--out",
            one.to_str().unwrap(),
        ])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // 1. The shipped submit script: a 4-task array and a merge after all succeed.
    let out = d.join("out/array");
    let submitted = out_text(
        slurm_cmd(&conf, root().join("slurm/submit.sh").to_str().unwrap())
            .current_dir(&d)
            .env("TALENTSIM", bin)
            .args([
                sweep_file.to_str().unwrap(),
                out.to_str().unwrap(),
                "4",
                "--cpus-per-task=1",
                "--mem-per-cpu=100M",
            ])
            .arg(format!("--output={}", p("task-%a.out"))),
    );
    let ids: Vec<&str> = submitted
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    assert!(ids.len() >= 3, "submit.sh printed `{submitted}`");
    let (array, merge) = (ids[0], ids[2]);
    let (state, code) = wait_job(&conf, merge, Duration::from_secs(240));
    assert_eq!((state.as_str(), code.as_str()), ("COMPLETED", "0:0"));
    for i in 0..4 {
        let log = fs::read_to_string(d.join(format!("task-{i}.out"))).unwrap_or_default();
        assert!(log.contains(&format!("task {i} of array {array}")), "{log}");
        assert!(out.join(format!("shard-{i}-of-4/results.csv")).exists());
    }
    for f in ["results.csv", "results.parquet", "sweep.lock.toml"] {
        assert!(
            fs::read(one.join(f)).unwrap() == fs::read(out.join(f)).unwrap(),
            "{f}: the merged array differs from one process"
        );
    }

    // 2. One shard fails (its directory is blocked by a file); a merge that runs whatever
    // happened (afterany) lists what is missing.
    let out2 = d.join("out/broken");
    fs::create_dir_all(&out2).unwrap();
    fs::write(out2.join("shard-2-of-4"), "not a directory").unwrap();
    let array2 = out_text(
        slurm_cmd(&conf, "sbatch")
            .current_dir(&d)
            .env("TALENTSIM", bin)
            .args([
                "--parsable",
                "--array=0-3",
                "--cpus-per-task=1",
                "--mem-per-cpu=100M",
                &format!("--output={}", p("broken-%a.out")),
                root().join("slurm/sweep.sbatch").to_str().unwrap(),
                sweep_file.to_str().unwrap(),
                out2.to_str().unwrap(),
            ]),
    );
    let array2 = array2.trim().split(';').next().unwrap().to_string();
    let merge2 = out_text(
        slurm_cmd(&conf, "sbatch")
            .current_dir(&d)
            .env("TALENTSIM", bin)
            .args([
                "--parsable",
                &format!("--dependency=afterany:{array2}"),
                &format!("--output={}", p("merge2.out")),
                root().join("slurm/merge.sbatch").to_str().unwrap(),
                out2.to_str().unwrap(),
            ]),
    );
    let merge2 = merge2.trim().split(';').next().unwrap().to_string();
    let (state, code) = wait_job(&conf, &merge2, Duration::from_secs(240));
    assert_eq!((state.as_str(), code.as_str()), ("FAILED", "4:0"));
    let task2 = fs::read_to_string(d.join("broken-2.out")).unwrap_or_default();
    assert!(
        task2.contains("cannot create the output directory"),
        "{task2}"
    );
    let report = fs::read_to_string(d.join("merge2.out")).unwrap();
    assert!(report.contains("75 of 300 runs are missing"), "{report}");
    assert!(report.contains("shard 2/4: no directory"), "{report}");
    assert!(
        report.contains("points with missing runs (60): 0-59"),
        "{report}"
    );
    assert!(!out2.join("results.csv").exists());
    drop(daemons);
}
