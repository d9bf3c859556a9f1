//! Pinned finite-sample trajectories: for each configuration of [`cases`], realisations 0,
//! 1 and R−1 computed by [`FiniteRun::simulate`] and by [`FiniteRun::realisation`] must
//! match [`PINS`] within `1e-12` per entry (same random draws, same mapping of draws to
//! pairs and labels; only the rounding of the fit and the update may differ), with the
//! same number of rows and the same DPO event round.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{FiniteRun, FiniteSpec, Realisation};
use crate::dynamics::{MrsParams, Solver};
use crate::generators::{dirichlet_flat, Generator};
use crate::preference::PreferenceMatrix;
use crate::simplex::uniform;

/// One pinned configuration.
struct Case {
    name: &'static str,
    p: PreferenceMatrix,
    pi0: Vec<f64>,
    mu0: Vec<f64>,
    params: MrsParams,
    solver: Solver,
    rounds: usize,
    spec: FiniteSpec,
}

impl Case {
    fn run(&self) -> FiniteRun<'_> {
        FiniteRun {
            p: &self.p,
            pi0: &self.pi0,
            mu0: &self.mu0,
            params: self.params,
            solver: self.solver,
            rounds: self.rounds,
            burn_in: 0,
            spec: self.spec,
        }
    }
}

fn params(alpha: f64, beta: f64, lam: f64, eta: f64) -> MrsParams {
    MrsParams {
        alpha,
        beta,
        lam,
        eta,
    }
}

/// K = 3 IPO; K = 5 IPO (η < 1) and DPO (finite fits; and N small enough for events);
/// K = 10 IPO (the benchmark's configuration, and N = 12 with many unconnected responses).
fn cases() -> Vec<Case> {
    let spec = |pairs, realisations, seed| FiniteSpec {
        pairs,
        realisations,
        seed,
    };
    let rps = Generator::RockPaperScissors { s: 0.3 }.generate(0).unwrap();
    let r5 = Generator::Random { k: 5 }.generate(8).unwrap();
    let c10 = Generator::RandomCyclic { k: 10, s: 0.5 }
        .generate(5)
        .unwrap();
    let r10 = Generator::Random { k: 10 }.generate(3).unwrap();
    vec![
        Case {
            name: "K=3 IPO",
            p: rps,
            pi0: dirichlet_flat(3, 4),
            mu0: uniform(3),
            params: params(0.8, 3.0, 1.0, 1.0),
            solver: Solver::Ipo,
            rounds: 200,
            spec: spec(64, 4, 11),
        },
        Case {
            name: "K=5 IPO eta=0.7",
            p: r5.clone(),
            pi0: dirichlet_flat(5, 2),
            mu0: vec![0.1, 0.2, 0.3, 0.25, 0.15],
            params: params(0.6, 2.0, 0.7, 0.7),
            solver: Solver::Ipo,
            rounds: 120,
            spec: spec(40, 3, 5),
        },
        Case {
            name: "K=5 DPO N=512",
            p: r5.clone(),
            pi0: dirichlet_flat(5, 2),
            mu0: uniform(5),
            params: params(0.8, 2.0, 0.5, 1.0),
            solver: Solver::Dpo,
            rounds: 100,
            spec: spec(512, 3, 1),
        },
        Case {
            name: "K=5 DPO N=40 (events)",
            p: r5,
            pi0: dirichlet_flat(5, 2),
            mu0: uniform(5),
            params: params(0.8, 2.0, 0.5, 1.0),
            solver: Solver::Dpo,
            rounds: 100,
            spec: spec(40, 3, 2),
        },
        Case {
            name: "K=10 IPO N=256",
            p: c10,
            pi0: dirichlet_flat(10, 7),
            mu0: uniform(10),
            params: params(0.8, 2.0, 1.0, 1.0),
            solver: Solver::Ipo,
            rounds: 300,
            spec: spec(256, 3, 1),
        },
        Case {
            name: "K=10 IPO N=12",
            p: r10,
            pi0: dirichlet_flat(10, 1),
            mu0: uniform(10),
            params: params(0.5, 1.5, 0.5, 1.0),
            solver: Solver::Ipo,
            rounds: 50,
            spec: spec(12, 2, 3),
        },
    ]
}

/// What is pinned of one realisation: its index, number of rows, DPO event round, the row
/// `rows / 2` and the last row.
struct Pin {
    index: usize,
    rows: usize,
    event_round: Option<usize>,
    mid: &'static [f64],
    last: &'static [f64],
}

fn pinned_indices(case: &Case) -> Vec<usize> {
    let r = case.spec.realisations;
    let mut v = vec![0, 1, r - 1];
    v.dedup();
    v
}

fn check(case: &Case, real: &Realisation, pin: &Pin, how: &str) {
    let t = &real.trajectory;
    let rows = t.policies.len() / t.k;
    assert_eq!(real.index, pin.index, "{} {how}", case.name);
    assert_eq!(rows, pin.rows, "{} {how} #{}: rows", case.name, pin.index);
    assert_eq!(
        real.event.as_ref().map(|e| e.round),
        pin.event_round,
        "{} {how} #{}: event",
        case.name,
        pin.index
    );
    for (row, want) in [(rows / 2, pin.mid), (rows - 1, pin.last)] {
        let got = t.policy(row);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-12,
                "{} {how} #{} row {row}: {got:?} vs {want:?}",
                case.name,
                pin.index
            );
        }
    }
}

#[test]
fn finite_trajectories_match_the_pinned_values() {
    let cases = cases();
    assert_eq!(cases.len(), PINS.len());
    for (case, pins) in cases.iter().zip(PINS) {
        let run = case.run();
        let all = run.simulate().unwrap();
        let indices = pinned_indices(case);
        assert_eq!(indices.len(), pins.len(), "{}", case.name);
        for (&i, pin) in indices.iter().zip(pins.iter()) {
            check(case, &all.realisations[i], pin, "simulate");
            check(case, &run.realisation(i).unwrap(), pin, "realisation");
        }
    }
}

/// Prints [`PINS`] from the current code: `cargo test -p prefdyn --lib print_finite_pins
/// -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_finite_pins() {
    println!("const PINS: &[&[Pin]] = &[");
    for case in cases() {
        let all = case.run().simulate().unwrap();
        println!("    // {}", case.name);
        println!("    &[");
        for i in pinned_indices(&case) {
            let r = &all.realisations[i];
            let t = &r.trajectory;
            let rows = t.policies.len() / t.k;
            println!("        Pin {{");
            println!("            index: {i},");
            println!("            rows: {rows},");
            println!(
                "            event_round: {:?},",
                r.event.as_ref().map(|e| e.round)
            );
            println!("            mid: &{:?},", t.policy(rows / 2));
            println!("            last: &{:?},", t.policy(rows - 1));
            println!("        }},");
        }
        println!("    ],");
    }
    println!("];");
}

const PINS: &[&[Pin]] = &[
    // K=3 IPO
    &[
        Pin {
            index: 0,
            rows: 201,
            event_round: None,
            mid: &[0.22615940364401685, 0.11066078785424961, 0.6631798085017336],
            last: &[0.12716974161087433, 0.3411091838158634, 0.5317210745732623],
        },
        Pin {
            index: 1,
            rows: 201,
            event_round: None,
            mid: &[0.2874206488222901, 0.24974642544740389, 0.462832925730306],
            last: &[0.1270840984240295, 0.2238672318953778, 0.6490486696805927],
        },
        Pin {
            index: 3,
            rows: 201,
            event_round: None,
            mid: &[0.04637986786140947, 0.29827334624615714, 0.6553467858924334],
            last: &[0.10071216352452603, 0.37872727405967255, 0.5205605624158015],
        },
    ],
    // K=5 IPO eta=0.7
    &[
        Pin {
            index: 0,
            rows: 121,
            event_round: None,
            mid: &[
                0.2303885165348544,
                0.3237830958176059,
                0.3119018890153527,
                0.11847809227097518,
                0.015448406361211831,
            ],
            last: &[
                0.31322495536928635,
                0.3576244001701417,
                0.21790689138275476,
                0.08744288250462115,
                0.02380087057319594,
            ],
        },
        Pin {
            index: 1,
            rows: 121,
            event_round: None,
            mid: &[
                0.31360804105197176,
                0.37040836072083494,
                0.15895439052260488,
                0.1395326693871564,
                0.01749653831743189,
            ],
            last: &[
                0.3638848093580242,
                0.37360631627973095,
                0.14709863716494184,
                0.06518698903428115,
                0.050223248163021705,
            ],
        },
        Pin {
            index: 2,
            rows: 121,
            event_round: None,
            mid: &[
                0.22693131137051453,
                0.2962018634080421,
                0.2780593383449924,
                0.15533006960768236,
                0.043477417268768526,
            ],
            last: &[
                0.25298950242883655,
                0.36937356202953875,
                0.2761186690451386,
                0.08388502410707237,
                0.017633242389413713,
            ],
        },
    ],
    // K=5 DPO N=512
    &[
        Pin {
            index: 0,
            rows: 101,
            event_round: None,
            mid: &[
                0.13374495784737755,
                0.6439423609195495,
                0.16880377330197724,
                0.03996042064246034,
                0.013548487288635322,
            ],
            last: &[
                0.12626305436950705,
                0.7237201418201017,
                0.11180130803022721,
                0.023240589522478722,
                0.014974906257685517,
            ],
        },
        Pin {
            index: 1,
            rows: 101,
            event_round: None,
            mid: &[
                0.11990343461956877,
                0.6253934548068475,
                0.20052374396500233,
                0.04095107120236449,
                0.013228295406216853,
            ],
            last: &[
                0.14454788603760285,
                0.6182400843744617,
                0.19073155450909096,
                0.03544212640608825,
                0.011038348672756305,
            ],
        },
        Pin {
            index: 2,
            rows: 101,
            event_round: None,
            mid: &[
                0.10383712940815888,
                0.7135461484525717,
                0.15431906827772482,
                0.02078273748505709,
                0.007514916376487609,
            ],
            last: &[
                0.11513341451995018,
                0.7018230538782237,
                0.14418198025671922,
                0.031105775842717055,
                0.007755775502389749,
            ],
        },
    ],
    // K=5 DPO N=40 (events)
    &[
        Pin {
            index: 0,
            rows: 2,
            event_round: Some(1),
            mid: &[
                0.377936554451118,
                0.2012592179683145,
                0.17896881564831854,
                0.22198085247897467,
                0.019854559453274478,
            ],
            last: &[
                0.377936554451118,
                0.2012592179683145,
                0.17896881564831854,
                0.22198085247897467,
                0.019854559453274478,
            ],
        },
        Pin {
            index: 1,
            rows: 6,
            event_round: Some(5),
            mid: &[
                0.45031913504194476,
                0.30778590340926926,
                0.1300169557856351,
                0.09042327352169087,
                0.02145473224146004,
            ],
            last: &[
                0.1694201935291733,
                0.4770454757957906,
                0.2826256685278542,
                0.06032659995388576,
                0.010582062193296082,
            ],
        },
        Pin {
            index: 2,
            rows: 6,
            event_round: Some(5),
            mid: &[
                0.5089695709774588,
                0.1735270956730242,
                0.21357750836212244,
                0.09174601666705505,
                0.012179808320339595,
            ],
            last: &[
                0.3346154947531824,
                0.40031693920180783,
                0.21209453350813592,
                0.0438409729448508,
                0.00913205959202302,
            ],
        },
    ],
    // K=10 IPO N=256
    &[
        Pin {
            index: 0,
            rows: 301,
            event_round: None,
            mid: &[
                0.04872737616245885,
                0.003739057052871074,
                0.09657082106611063,
                0.11666803248360631,
                0.05911426799591973,
                0.13669649211007137,
                0.012042385547283405,
                0.20698930453910033,
                0.040929743678955195,
                0.27852251936362304,
            ],
            last: &[
                0.05437406623525083,
                0.008653370214597157,
                0.08018707445565816,
                0.06518361445370495,
                0.09252110468968498,
                0.15368485372755147,
                0.02890643443970071,
                0.16212551097766165,
                0.012929750609432746,
                0.3414342201967574,
            ],
        },
        Pin {
            index: 1,
            rows: 301,
            event_round: None,
            mid: &[
                0.041698264515099316,
                0.03307653827453422,
                0.06711750324596676,
                0.08496693534739494,
                0.07791007328644724,
                0.12934421464237905,
                0.028018226230299915,
                0.14505056139922096,
                0.005641921060464183,
                0.3871757619981934,
            ],
            last: &[
                0.039313198291356766,
                0.007478884976385385,
                0.04670724740459682,
                0.10571120861465537,
                0.13433816923645753,
                0.13996162142903126,
                0.0018537176979250007,
                0.15912019098116428,
                0.013549365552585395,
                0.35196639581584205,
            ],
        },
        Pin {
            index: 2,
            rows: 301,
            event_round: None,
            mid: &[
                0.03703920788630628,
                0.029393735291843245,
                0.1320023052338155,
                0.10738136054579699,
                0.0968819110596306,
                0.1592323926404427,
                0.0029246726532615123,
                0.14994222450633274,
                0.029608517767222706,
                0.25559367241534775,
            ],
            last: &[
                0.05898870085159552,
                0.028825767238781497,
                0.06970912636276848,
                0.07243563368355166,
                0.07871040204775503,
                0.14835803058196345,
                0.019787656190950884,
                0.14572962250805416,
                0.030922204106669068,
                0.34653285642791015,
            ],
        },
    ],
    // K=10 IPO N=12
    &[
        Pin {
            index: 0,
            rows: 51,
            event_round: None,
            mid: &[
                0.022884516832469406,
                0.008312051454516424,
                0.1408508713616676,
                0.02657819363887762,
                0.010702457121610148,
                0.2491224399082667,
                0.04427820986180474,
                0.010985796715603622,
                0.3159821998330309,
                0.17030326327215287,
            ],
            last: &[
                0.028868291698307316,
                0.008135196247042587,
                0.3051524596401622,
                0.0701392563897542,
                0.021771081814947038,
                0.24116333235192813,
                0.023272162897929646,
                0.017990333691627804,
                0.12723714949377835,
                0.15627073577452275,
            ],
        },
        Pin {
            index: 1,
            rows: 51,
            event_round: None,
            mid: &[
                0.03338669258472839,
                0.015572183352177985,
                0.17971450641669337,
                0.037236403353311395,
                0.028539080040718208,
                0.39646363387658634,
                0.06013234681514781,
                0.031050019454225863,
                0.15305254726623269,
                0.0648525868401779,
            ],
            last: &[
                0.03610007902300756,
                0.010784200434367846,
                0.04746843811878038,
                0.04987916784053466,
                0.034760342781952606,
                0.1729857570981602,
                0.0292818016179495,
                0.005613336202750481,
                0.49855524115770594,
                0.11457163572479082,
            ],
        },
    ],
];
