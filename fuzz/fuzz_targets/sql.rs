#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{checks, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    checks::check_sql(&text);
    checks::check_lexer(&text);
});
