//! A provider built against a contract version no Steward knows
//! (`steward:provider@9.0.0`): the host must refuse it with a clear message.

wit_bindgen::generate!({ path: "wit", world: "provider" });


#[used]
#[unsafe(link_section = "steward:wit-version")]
static WIT_VERSION: [u8; 5] = *b"9.0.0";

struct Future;

impl Guest for Future {
    fn describe(_settings: Vec<(String, String)>) -> Info {
        unreachable!("the host must not instantiate an unknown contract version")
    }
    fn check(_ctx: Context) -> Result<Report, Error> {
        unreachable!()
    }
    fn capture(_ctx: Context) -> Result<Vec<u8>, Error> {
        unreachable!()
    }
    fn plan(_ctx: Context, _updates: Vec<Update>) -> Result<Plan, Error> {
        unreachable!()
    }
    fn verify(_ctx: Context, _updates: Vec<Update>) -> Result<(), Error> {
        unreachable!()
    }
    fn restore_plan(_ctx: Context, _state: Vec<u8>) -> Result<Plan, Error> {
        unreachable!()
    }
}

export!(Future);
