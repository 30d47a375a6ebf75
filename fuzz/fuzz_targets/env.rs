#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{checks, text};

fuzz_target!(|data: &[u8]| {
    checks::check_env(&text(data));
});
