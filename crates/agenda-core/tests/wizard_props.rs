//! Property tests: random action sequences against changing contexts never bring the
//! booking wizard into an inconsistent state.

use agenda_core::fiscal_code::FiscalCode;
use agenda_core::vocab::Channel;
use agenda_core::wizard::{PointOption, SlotOption, Step, Wizard, WizardAction, WizardContext};
use proptest::prelude::*;

const OFFICES: [&str; 3] = ["O1", "O2", "O3"];
const STARTS: [&str; 3] = [
    "2026-12-03T09:00:00+01:00",
    "2026-12-03T09:30:00+01:00",
    "2026-12-04T10:00:00+01:00",
];

/// The points the service knows: code, channel, office it is tied to.
fn universe() -> Vec<PointOption> {
    let p = |code: &str, channel, office: Option<&str>| PointOption {
        code: code.into(),
        channel,
        office_code: office.map(Into::into),
    };
    vec![
        p("P1", Channel::InPresenza, Some("O1")),
        p("P2", Channel::Telefonica, None),
        p("P3", Channel::Videochiamata, None),
        p("P4", Channel::InPresenza, Some("O2")),
    ]
}

fn full_context() -> WizardContext {
    let points = universe();
    let mut slots = Vec::new();
    for office in OFFICES {
        for point in &points {
            for start in STARTS {
                slots.push(SlotOption {
                    office_code: office.into(),
                    point_code: point.code.clone(),
                    start: start.into(),
                });
            }
        }
    }
    WizardContext {
        points,
        offices: OFFICES.iter().map(|o| o.to_string()).collect(),
        slots,
    }
}

/// Mostly everything available; sometimes a random part of it.
fn context() -> impl Strategy<Value = WizardContext> {
    let partial = (
        proptest::collection::vec(any::<bool>(), 4),
        proptest::collection::vec(any::<bool>(), 3),
        proptest::collection::vec(prop::bool::weighted(0.7), 36),
    )
        .prop_map(|(points, offices, slots)| {
            let full = full_context();
            WizardContext {
                points: full
                    .points
                    .into_iter()
                    .zip(points)
                    .filter(|(_, k)| *k)
                    .map(|(p, _)| p)
                    .collect(),
                offices: full
                    .offices
                    .into_iter()
                    .zip(offices)
                    .filter(|(_, k)| *k)
                    .map(|(o, _)| o)
                    .collect(),
                slots: full
                    .slots
                    .into_iter()
                    .zip(slots)
                    .filter(|(_, k)| *k)
                    .map(|(s, _)| s)
                    .collect(),
            }
        });
    prop_oneof![3 => Just(full_context()), 1 => partial]
}

fn channel() -> impl Strategy<Value = Channel> {
    proptest::sample::select(Channel::ALL.to_vec())
}

fn action() -> impl Strategy<Value = WizardAction> {
    let known_point =
        proptest::sample::select(universe()).prop_map(|p| WizardAction::ChoosePoint {
            code: p.code,
            channel: p.channel,
            office_code: p.office_code,
        });
    let any_point = (
        proptest::sample::select(vec!["P1", "P2", "P5", ""]),
        channel(),
        proptest::option::of(proptest::sample::select(vec!["O1", "O2", "O4"])),
    )
        .prop_map(|(code, channel, office)| WizardAction::ChoosePoint {
            code: code.into(),
            channel,
            office_code: office.map(Into::into),
        });
    let office = proptest::sample::select(vec!["O1", "O2", "O3", "O4"])
        .prop_map(|c| WizardAction::ChooseOffice { code: c.into() });
    let slot = proptest::sample::select(vec![STARTS[0], STARTS[1], STARTS[2], "domani"])
        .prop_map(|s| WizardAction::ChooseSlot { start: s.into() });
    let phone = proptest::sample::select(vec![
        "333 123 4567",
        "333 123 4567",
        "",
        "800 123456",
        "+39 06 1234567",
    ])
    .prop_map(|p| WizardAction::SetPhone(p.into()));
    let notes = proptest::sample::select(vec!["Richiesta", "Richiesta", " ", "a\tb", "ok\r\nok"])
        .prop_map(|n| WizardAction::SetNotes(n.into()));
    prop_oneof![
        3 => known_point,
        1 => any_point,
        3 => office,
        3 => slot,
        2 => phone,
        2 => notes,
        8 => Just(WizardAction::Next),
        2 => Just(WizardAction::Back),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_action_sequences_never_reach_an_inconsistent_state(
        steps in proptest::collection::vec((context(), action()), 1..60)
    ) {
        let cf = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        let mut wizard = Wizard::new(cf, "C-42".parse().unwrap(), "T-1".parse().unwrap());
        for (ctx, action) in steps {
            let before = wizard.clone();
            let result = wizard.apply(action.clone(), &ctx);
            prop_assert!(wizard.is_consistent(), "{:?} after {:?}", wizard, action);
            match result {
                Err(e) => {
                    prop_assert_eq!(&wizard, &before, "an error changed the wizard: {}", e);
                    prop_assert!(!e.code().is_empty());
                    prop_assert!(!e.to_string().is_empty());
                }
                Ok(()) => match &action {
                    WizardAction::Next => {
                        prop_assert_eq!(wizard.step().number(), before.step().number() + 1);
                    }
                    WizardAction::Back => {
                        prop_assert!(wizard.step() < before.step());
                    }
                    WizardAction::ChoosePoint { code, channel, .. } => {
                        prop_assert_eq!(wizard.consultation_point(), Some(code.as_str()));
                        prop_assert_eq!(wizard.channel(), Some(*channel));
                        prop_assert!(ctx.points.iter().any(|p| &p.code == code));
                    }
                    WizardAction::ChooseOffice { code } => {
                        prop_assert_eq!(wizard.office_code(), Some(code.as_str()));
                        prop_assert!(ctx.offices.contains(code));
                    }
                    WizardAction::ChooseSlot { start } => {
                        prop_assert_eq!(wizard.slot_start(), Some(start.as_str()));
                        let offered = ctx.slots.iter().any(|s| {
                            &s.start == start
                                && Some(s.office_code.as_str()) == wizard.office_code()
                                && Some(s.point_code.as_str()) == wizard.consultation_point()
                        });
                        prop_assert!(offered);
                    }
                    WizardAction::SetPhone(_) | WizardAction::SetNotes(_) => {
                        prop_assert!(wizard.step() <= before.step());
                    }
                },
            }
            // Every state survives a save and a reload.
            let json = serde_json::to_string(&wizard).unwrap();
            prop_assert_eq!(serde_json::from_str::<Wizard>(&json).unwrap(), wizard.clone());
            // Only the last step can book, and then always.
            match wizard.booking_request() {
                Ok(booking) => {
                    prop_assert_eq!(wizard.step(), Step::Pronto);
                    prop_assert_eq!(Some(booking.consultation_point.as_str()), wizard.consultation_point());
                    prop_assert_eq!(Some(booking.office_code.as_str()), wizard.office_code());
                    prop_assert_eq!(Some(booking.slot_start.as_str()), wizard.slot_start());
                }
                Err(_) => prop_assert_ne!(wizard.step(), Step::Pronto),
            }
        }
    }

    #[test]
    fn tied_points_only_ever_sit_with_their_own_office(
        steps in proptest::collection::vec((context(), action()), 1..60)
    ) {
        let cf = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        let mut wizard = Wizard::new(cf, "C-42".parse().unwrap(), "T-1".parse().unwrap());
        let tie = |code: &str| universe().into_iter().find(|p| p.code == code).and_then(|p| p.office_code);
        for (ctx, action) in steps {
            let _ = wizard.apply(action, &ctx);
            if let (Some(point), Some(office)) = (wizard.consultation_point(), wizard.office_code()) {
                if let Some(own) = tie(point) {
                    prop_assert_eq!(own.as_str(), office);
                }
            }
        }
    }
}

#[test]
fn the_generator_can_walk_the_whole_way_to_pronto() {
    let ctx = full_context();
    let cf = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
    let mut wizard = Wizard::new(cf, "C-42".parse().unwrap(), "T-1".parse().unwrap());
    let actions = [
        WizardAction::ChoosePoint {
            code: "P4".into(),
            channel: Channel::InPresenza,
            office_code: Some("O2".into()),
        },
        WizardAction::Next,
        WizardAction::Next,
        WizardAction::ChooseSlot {
            start: STARTS[2].into(),
        },
        WizardAction::Next,
        WizardAction::SetPhone("333 123 4567".into()),
        WizardAction::SetNotes("Richiesta".into()),
        WizardAction::Next,
    ];
    for action in actions {
        wizard.apply(action, &ctx).unwrap();
    }
    assert_eq!(wizard.step(), Step::Pronto);
    assert_eq!(wizard.booking_request().unwrap().office_code, "O2");
}
