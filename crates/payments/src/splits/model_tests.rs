use super::*;

fn recipient(id: &str) -> SplitRecipient {
    SplitRecipient {
        id: id.into(),
        name: String::new(),
        percent_bps: None,
        amount: None,
        stripe_account: None,
        efi_account: None,
    }
}

fn fields(rules: &SplitRules) -> Vec<String> {
    match rules.validate() {
        Err(balcao_core::error::Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn shares_take_the_fee_first_then_recipients_rounding_down() {
    let rules = SplitRules {
        platform_fee_bps: 250,
        recipients: vec![
            SplitRecipient { percent_bps: Some(1000), stripe_account: Some("acct_1Loja".into()), ..recipient("socia") },
            SplitRecipient {
                amount: Some(500),
                efi_account: Some(EfiSplitAccount { document: "12345678909".into(), account: "1234567".into() }),
                ..recipient("entregas")
            },
        ],
    };
    let stripe = rules.shares(11_999, "stripe");
    assert_eq!(
        stripe,
        vec![
            SplitShare { recipient: "platform".into(), amount: 299, destination: None },
            SplitShare { recipient: "socia".into(), amount: 1199, destination: Some("acct_1Loja".into()) },
            SplitShare { recipient: "entregas".into(), amount: 500, destination: None },
        ]
    );
    let efi = rules.shares(11_999, "efi");
    assert_eq!(efi[1].destination, None);
    assert_eq!(efi[2].destination.as_deref(), Some("12345678909:1234567"));
    assert!(rules.shares(11_999, "sandbox").iter().all(|s| s.destination.is_none()));
}

#[test]
fn a_fixed_share_larger_than_what_is_left_gets_the_rest_and_zero_shares_are_left_out() {
    let rules = SplitRules {
        platform_fee_bps: 1000,
        recipients: vec![
            SplitRecipient { amount: Some(5000), ..recipient("entregas") },
            SplitRecipient { percent_bps: Some(500), ..recipient("tarde") },
        ],
    };
    let shares = rules.shares(1000, "stripe");
    assert_eq!(
        shares.iter().map(|s| (s.recipient.as_str(), s.amount)).collect::<Vec<_>>(),
        [("platform", 100), ("entregas", 900)]
    );
    assert_eq!(shares.iter().map(|s| s.amount).sum::<i64>(), 1000);
    assert!(SplitRules::default().shares(1000, "efi").is_empty());
}

#[test]
fn rules_are_validated_field_by_field() {
    let ok = SplitRules {
        platform_fee_bps: 0,
        recipients: vec![SplitRecipient { percent_bps: Some(10_000), ..recipient("tudo") }],
    };
    assert!(ok.validate().is_ok());
    let bad = SplitRules {
        platform_fee_bps: 10_001,
        recipients: vec![
            SplitRecipient { percent_bps: Some(100), amount: Some(1), ..recipient("Maiúscula") },
            SplitRecipient { amount: Some(0), stripe_account: Some("acc_x".into()), ..recipient("b") },
            SplitRecipient {
                percent_bps: Some(10),
                efi_account: Some(EfiSplitAccount { document: "123".into(), account: "12a".into() }),
                ..recipient("b")
            },
            SplitRecipient { percent_bps: Some(1), ..recipient("platform") },
        ],
    };
    assert_eq!(
        fields(&bad),
        [
            "platform_fee_bps",
            "recipients[0].id",
            "recipients[0].percent_bps",
            "recipients[1].amount",
            "recipients[1].stripe_account",
            "recipients[2].id",
            "recipients[2].efi_account.document",
            "recipients[2].efi_account.account",
            "recipients[3].id",
            "recipients",
        ]
    );
    let over = SplitRules {
        platform_fee_bps: 5000,
        recipients: vec![SplitRecipient { percent_bps: Some(5001), ..recipient("a") }],
    };
    assert_eq!(fields(&over), ["recipients"]);
}
