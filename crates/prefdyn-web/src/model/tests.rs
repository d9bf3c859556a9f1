//! The model without a page: changes, what they recompute and what they ask the page to do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::config::{parse_query, to_query};
use prefdyn::report::Results;

use super::*;

fn app(q: &str) -> App {
    App::new(parse_query(q), 2).0
}

#[test]
fn the_first_view_computes_the_run_and_leaves_the_rest_for_later() {
    let first = App::first_view(parse_query("v=2&alpha=0.6"), 2);
    assert!(first.results.dynamics.is_some());
    assert!(first.results.one_shot.is_empty());
    assert!(first.results.dynamics.as_ref().unwrap().portrait.is_none());
    assert_eq!(
        first.pending,
        Parts {
            one_shot: true,
            portrait: true,
            finite: true,
            ..Parts::default()
        }
    );
    let mut app = first;
    let (changed, fx) = app.change(Change::Complete, 5.0);
    assert!(changed.results.one_shot && changed.results.portrait);
    assert!(fx.is_empty(), "no job for a population link: {fx:?}");
    assert_eq!(app.pending, Parts::default());
    assert!(app.results.dynamics.as_ref().unwrap().portrait.is_some());
}

/// Whatever route the model took, its results are the engine's for its link, bit for bit.
#[test]
fn results_equal_the_engines_after_any_sequence_of_edits() {
    let mut app = app("v=2&gen=cyclic&k=5&s=0.4&seed=3");
    for (k, v) in [
        ("alpha", "0.7"),
        ("beta", "5"),
        ("preset", "chatbot_arena_2023may_5"),
        ("eps", "0.2"),
        ("lam", "0.5"),
        ("gen", "rps"),
    ] {
        let (changed, _) = app.change(
            Change::Edit {
                key: k.into(),
                raw: v.into(),
            },
            0.0,
        );
        assert!(changed.config.any(), "{k}={v} changed the configuration");
        let engine = Results::population_on(&app.config, &app.matrix);
        let ours = serde_json::to_value(&app.results).unwrap();
        let want = serde_json::to_value(&engine).unwrap();
        assert_eq!(ours, want, "after {k}={v}: {}", to_query(&app.config));
    }
}

#[test]
fn a_change_recomputes_only_what_it_invalidates() {
    let mut a = app("v=2");
    let edit = |k: &str, v: &str| Change::Edit {
        key: k.into(),
        raw: v.into(),
    };
    let (c, _) = a.change(edit("eps", "0.3"), 0.0);
    assert!(c.results.one_shot && !c.results.dynamics && !c.results.matrix);
    let (c, _) = a.change(edit("alpha", "0.3"), 0.0);
    assert!(c.results.dynamics && c.results.portrait && !c.results.one_shot && c.frame);
    let (c, _) = a.change(edit("k", "3"), 0.0);
    assert!(!c.config.any(), "RPS ignores K: nothing changed");
    let (c, _) = a.change(edit("gen", "random"), 0.0);
    assert!(c.results.matrix && c.results.one_shot && c.results.dynamics);
    let (c, _) = a.change(edit("alpha", "abc"), 0.0);
    assert!(c.issues && !c.config.any());
    assert!(a.issues.iter().any(|i| i.field == "alpha"));
}

#[test]
fn playback_moves_a_cursor_and_asks_for_frames_while_playing() {
    let mut a = app("v=2&T=100&speed=100");
    assert_eq!((a.play.cursor, a.play.playing), (100, false));
    let (c, fx) = a.change(Change::Play(PlayAction::Toggle { now: 0.0 }), 0.0);
    assert!(c.frame && a.play.playing);
    assert_eq!(a.play.cursor, 0, "playing from the end starts again");
    assert_eq!(fx, vec![Effect::Frame]);
    let (_, fx) = a.change(Change::Play(PlayAction::Frame { ts: 250.0 }), 0.0);
    assert_eq!(a.play.cursor, 25, "100 rounds/s for 250 ms");
    assert_eq!(fx, vec![Effect::Frame]);
    let (_, fx) = a.change(Change::Play(PlayAction::Frame { ts: 5000.0 }), 0.0);
    assert_eq!((a.play.cursor, a.play.playing), (100, false));
    assert!(fx.is_empty(), "the end stops the frames");
    a.change(Change::Play(PlayAction::Step(-3)), 0.0);
    assert_eq!(a.play.cursor, 97);
    a.change(Change::Play(PlayAction::Rewind), 0.0);
    assert_eq!(a.play.cursor, 0);
}

/// The diagram starts only when asked for; its workers get batches; their replies complete
/// it with the same grid as the engine's sweep; a stale generation is ignored.
#[test]
fn the_phase_job_runs_on_workers_through_effects() {
    let mut a = app("v=2&nx=6&ny=4&en=2&pT=40");
    assert!(!a.phase.started(), "not started before it is asked for");
    let (c, fx) = a.change(Change::PhaseWanted, 10.0);
    assert!(c.phase && a.phase.running);
    let Some(Effect::PhaseStart { gen, workers, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    assert_eq!(workers, 2);
    let mut queue: Vec<(usize, Vec<usize>)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::PhaseSend { worker, cells, .. } => Some((*worker, cells.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(queue.len(), 2 * PHASE_IN_FLIGHT);
    let (spec, members) = prefdyn::report::phase_setup(&a.config, &a.matrix).unwrap();
    let mut computer = prefdyn::phase::CellComputer::new(spec, members.clone()).unwrap();
    // A reply of an older generation changes nothing.
    let (c, _) = a.change(
        Change::PhaseCells {
            worker: 0,
            gen: gen.wrapping_sub(1),
            values: vec![0.0, 1.0, 0.0, 0.5],
            millis: 1.0,
        },
        11.0,
    );
    assert!(!c.phase);
    while let Some((worker, cells)) = queue.pop() {
        let values: Vec<f64> = computer
            .compute(&cells)
            .into_iter()
            .flat_map(|v| v.to_wire())
            .collect();
        let (_, fx) = a.change(
            Change::PhaseCells {
                worker,
                gen,
                values,
                millis: 2.0,
            },
            20.0,
        );
        queue.extend(fx.iter().filter_map(|e| match e {
            Effect::PhaseSend { worker, cells, .. } => Some((*worker, cells.clone())),
            _ => None,
        }));
    }
    assert!(a.phase.is_done() && !a.phase.running);
    assert_eq!(a.phase.millis, Some(10.0));
    let want = prefdyn::phase::sweep(&spec, &members).unwrap();
    let got = &a.phase.job.as_ref().unwrap().result().grid;
    assert_eq!(got.mean, want.mean);
    assert_eq!(got.sd, want.sd);
}

/// A worker's batches grow at most [`PHASE_BATCH_GROWTH`]-fold, however fast its first
/// tiny batches came back (their code may not be the browser's optimised code yet), up to
/// about [`PHASE_BATCH_MS`] of work.
#[test]
fn a_workers_batches_grow_step_by_step() {
    let mut a = app("v=2&nx=64&ny=64&en=1&pT=10");
    let (_, fx) = a.change(Change::PhaseWanted, 0.0);
    let gen = a.phase.gen;
    let sends = |fx: &[Effect]| -> Vec<Vec<usize>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::PhaseSend {
                    worker: 0, cells, ..
                } => Some(cells.clone()),
                _ => None,
            })
            .collect()
    };
    let mut queue = sends(&fx);
    let mut sizes: Vec<usize> = queue.iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![PHASE_FIRST_BATCH; PHASE_IN_FLIGHT]);
    while sizes.len() < 14 {
        let cells = queue.remove(0);
        let values: Vec<f64> = cells
            .iter()
            .flat_map(|&c| [c as f64, 0.5, 0.0, 0.9, 0.0])
            .collect();
        // 1 µs a cell: by time alone, the next batch would be the largest at once.
        let millis = 0.001 * cells.len() as f64;
        let (_, fx) = a.change(
            Change::PhaseCells {
                worker: 0,
                gen,
                values,
                millis,
            },
            1.0,
        );
        let more = sends(&fx);
        sizes.extend(more.iter().map(Vec::len));
        queue.extend(more);
    }
    for (i, &n) in sizes.iter().enumerate().skip(1) {
        let before = sizes[..i].iter().max().copied().unwrap_or(0);
        assert!(n <= PHASE_BATCH_GROWTH * before, "{sizes:?}");
    }
    assert_eq!(sizes.iter().max(), Some(&512), "{sizes:?}");
    // The next sweep on the same pool starts small (its speed is not known yet) but is
    // not held back once it is.
    let (_, fx) = a.change(Change::PhaseRun, 2.0);
    let gen = a.phase.gen;
    let first = sends(&fx);
    assert_eq!(first.len(), PHASE_IN_FLIGHT);
    let values: Vec<f64> = first[0]
        .iter()
        .flat_map(|&c| [c as f64, 0.5, 0.0, 0.9, 0.0])
        .collect();
    let (_, fx) = a.change(
        Change::PhaseCells {
            worker: 0,
            gen,
            values,
            millis: 0.004,
        },
        3.0,
    );
    assert_eq!(sends(&fx).iter().map(Vec::len).collect::<Vec<_>>(), [512]);
}

#[test]
fn without_workers_the_phase_job_runs_in_slices_and_cancel_stops_it() {
    let mut a = app("v=2&view=phase&nx=5&ny=4&en=2&pT=30");
    let (_, fx) = a.change(Change::PhaseWorkers(Some(0)), 0.0);
    assert!(fx.contains(&Effect::PhaseSlice), "{fx:?}");
    let (c, fx) = a.change(Change::PhaseSlice { cells: 3 }, 1.0);
    assert!(c.phase && fx == vec![Effect::PhaseSlice]);
    let done = a.phase.progress();
    assert!(done > 0.0 && done < 1.0);
    let (_, fx) = a.change(Change::PhaseCancel, 2.0);
    assert!(a.phase.cancelled && !a.phase.running && fx == vec![Effect::PhaseStop]);
    let (c, fx) = a.change(Change::PhaseSlice { cells: 100 }, 3.0);
    assert!(
        !c.phase && fx.is_empty(),
        "a cancelled sweep computes nothing more"
    );
    // A figure's button again: the same link, run again.
    let (c, fx) = a.change(Change::PhaseResume, 4.0);
    assert!(c.phase && a.phase.running && fx.contains(&Effect::PhaseSlice));
    while a.phase.running {
        a.change(Change::PhaseSlice { cells: 7 }, 5.0);
    }
    assert!(a.phase.is_done());
    // A parameter its axes set does not restart it; one they do not set does.
    let (c, _) = a.change(
        Change::Edit {
            key: "alpha".into(),
            raw: "0.2".into(),
        },
        6.0,
    );
    assert!(!c.phase && a.phase.is_done());
    let (c, _) = a.change(
        Change::Edit {
            key: "lam".into(),
            raw: "0.3".into(),
        },
        7.0,
    );
    assert!(c.phase && a.phase.running);
}

#[test]
fn finite_realisations_are_stepped_in_slices_to_the_engines_report() {
    let q = "v=2&N=64&R=3&T=40";
    let mut a = App::first_view(parse_query(q), 2);
    a.phase.set_workers(Some(0), &mut vec![]);
    let (c, fx) = a.change(Change::Complete, 0.0);
    assert!(c.finite_progress && fx.contains(&Effect::FiniteSlice));
    assert!(a.finite.running() && a.results.finite.is_none());
    let mut slices = 0;
    while a.finite.running() {
        a.change(Change::FiniteSlice { rounds: 17 }, 50.0);
        slices += 1;
    }
    assert!(slices > 3);
    assert_eq!(a.finite.millis, Some(50.0));
    let engine = Results::compute(&a.config);
    let ours = serde_json::to_value(&a.results.finite).unwrap();
    assert_eq!(ours, serde_json::to_value(&engine.finite).unwrap());
}

/// The worker batches the model asks for, computed by the engine as a worker would.
fn worker_replies(a: &App, fx: &[Effect]) -> Vec<Change> {
    let stepper = prefdyn::report::finite_stepper(&a.config, &a.matrix)
        .unwrap()
        .unwrap();
    fx.iter()
        .filter_map(|e| match e {
            Effect::FiniteSend {
                worker,
                gen,
                from,
                to,
            } => Some(Change::FiniteRealisations {
                worker: *worker,
                gen: *gen,
                values: stepper.compute_wire(*from..*to),
            }),
            _ => None,
        })
        .collect()
}

/// On two workers, with replies in any order (and a stale one), the realisations are the
/// engine's report bit for bit; a reply that cannot be read hands the rest to the page.
#[test]
fn finite_realisations_from_workers_equal_the_engines_report() {
    let q = "v=2&N=64&R=13&T=40";
    let engine = serde_json::to_value(&Results::compute(&parse_query(q).config).finite).unwrap();
    for broken in [false, true] {
        let mut a = App::first_view(parse_query(q), 2);
        let (_, fx) = a.change(Change::Complete, 0.0);
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::FiniteStart { workers: 2, .. })));
        assert!(!fx.contains(&Effect::FiniteSlice));
        let gen = a.finite.gen;
        a.change(
            Change::FiniteRealisations {
                worker: 0,
                gen: gen.wrapping_sub(1),
                values: vec![1.0, 2.0],
            },
            1.0,
        );
        let mut pending = worker_replies(&a, &fx);
        assert_eq!(pending.len(), 4, "two batches in flight per worker");
        if broken {
            pending.insert(
                1,
                Change::FiniteRealisations {
                    worker: 1,
                    gen,
                    values: vec![0.5],
                },
            );
        }
        let mut sliced = false;
        while let Some(reply) = pending.pop() {
            let (_, fx) = a.change(reply, 20.0);
            sliced |= fx.contains(&Effect::FiniteSlice);
            pending.splice(0..0, worker_replies(&a, &fx));
        }
        while a.finite.running() {
            a.change(Change::FiniteSlice { rounds: 50 }, 30.0);
        }
        assert_eq!(sliced, broken, "the page takes over only after a bad reply");
        assert_eq!(a.finite.workers, if broken { 0 } else { 2 });
        let ours = serde_json::to_value(&a.results.finite).unwrap();
        assert_eq!(ours, engine, "broken = {broken}");
    }
}

#[test]
fn an_import_is_kept_while_it_is_the_matrix() {
    let mut a = app("v=2");
    let data =
        prefdyn::import::parse_preferences("a,b,winner\nx,y,x\ny,z,y\nx,z,z\n", None).unwrap();
    let (c, _) = a.change(Change::Import(Box::new(data)), 0.0);
    assert!(c.import && c.results.matrix);
    assert_eq!(a.matrix.labels(), ["x", "y", "z"]);
    assert!(a.import.as_ref().unwrap().report[0].starts_with("Imported a list of comparisons"));
    let (c, _) = a.change(
        Change::Edit {
            key: "alpha".into(),
            raw: "0.5".into(),
        },
        0.0,
    );
    assert!(
        !c.import && a.import.is_some(),
        "another change keeps the import"
    );
    let (c, _) = a.change(
        Change::Edit {
            key: "gen".into(),
            raw: "random".into(),
        },
        0.0,
    );
    assert!(c.import && a.import.is_none(), "a new matrix drops it");
}

/// Each variant's results are those of its own link, bit for bit, whatever edits led there.
#[test]
fn variants_are_computed_as_their_own_links() {
    let q = "v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&solver.3=dpo&N.3=16&R.3=3&gen.4=sst&k.4=5&seed.4=2";
    let mut app = app(q);
    assert_eq!(app.variants.len(), 3);
    let check = |app: &App| {
        for (i, v) in app.variants.iter().enumerate() {
            let own = prefdyn::report::RunReport::compute(&app.config, i + 1, &v.config).0;
            let ours = serde_json::to_value(&v.report).unwrap();
            assert_eq!(
                ours,
                serde_json::to_value(&own).unwrap(),
                "variant {}",
                i + 2
            );
            let alone = parse_query(&v.report.query);
            assert!(alone.issues.is_empty());
            assert_eq!(alone.config, v.config);
            let engine = Results::compute(&alone.config);
            assert_eq!(
                serde_json::to_value(&engine.dynamics).unwrap(),
                serde_json::to_value(&v.report.dynamics).unwrap()
            );
            assert_eq!(
                serde_json::to_value(&engine.finite).unwrap(),
                serde_json::to_value(&v.report.finite).unwrap()
            );
        }
    };
    check(&app);
    assert!(app.variants[1].report.finite.is_some());
    // A base edit moves every variant that does not override it.
    let (changed, _) = app.change(
        Change::Edit {
            key: "lam".into(),
            raw: "0.6".into(),
        },
        0.0,
    );
    assert!(changed.compare);
    assert!(app
        .variants
        .iter()
        .all(|v| v.config.dynamics.params.lam == 0.6));
    check(&app);
    // A variant's own edit; the longest run sets the playback's rounds.
    app.change(
        Change::EditVariant {
            index: 0,
            pairs: vec![("T".into(), "250".into())],
        },
        0.0,
    );
    assert_eq!(app.rounds(), 250);
    assert_eq!(app.play.cursor, 250);
    check(&app);
}

#[test]
fn compare_adds_a_draft_then_a_variant_and_removes_it() {
    let mut app = app("v=2&alpha=0.5");
    let (changed, _) = app.change(Change::AddVariant, 0.0);
    assert!(changed.compare && app.draft_variant && !app.has_variants());
    // A value equal to the base's leaves the draft a draft.
    app.change(
        Change::EditVariant {
            index: 0,
            pairs: vec![("alpha".into(), "0.5".into())],
        },
        0.0,
    );
    assert!(app.draft_variant && app.variants.is_empty());
    app.change(
        Change::EditVariant {
            index: 0,
            pairs: vec![("beta".into(), "5".into())],
        },
        0.0,
    );
    assert!(!app.draft_variant);
    assert_eq!(to_query(&app.config), "v=2&alpha=0.5&beta.2=5");
    assert_eq!(app.variants.len(), 1);
    // A bad value is named KEY.N and changes nothing.
    app.change(
        Change::EditVariant {
            index: 0,
            pairs: vec![("alpha".into(), "x".into())],
        },
        0.0,
    );
    assert!(app.issues.iter().any(|i| i.field == "alpha.2"));
    assert_eq!(to_query(&app.config), "v=2&alpha=0.5&beta.2=5");
    app.change(Change::AddVariant, 0.0);
    assert!(!app.can_add_variant(), "one draft at a time");
    app.change(Change::RemoveVariant(1), 0.0);
    assert!(!app.draft_variant && app.can_add_variant());
    app.change(Change::RemoveVariant(0), 0.0);
    assert_eq!(to_query(&app.config), "v=2&alpha=0.5");
    assert!(app.variants.is_empty());
}
