fn main() {
    let path = std::env::args().nth(1).unwrap();
    let sc = talentsim::load(path.as_ref(), &[]).unwrap();
    let mut w = talentsim::World::new(&sc, 1);
    for _ in 0..w.months() {
        w.step();
        if w.t % 12 == 0 {
            let active: Vec<_> = w.firms.iter().filter(|f| f.active_startup()).collect();
            let launched = active.iter().filter(|f| f.launched()).count();
            let cash: f64 = active.iter().map(|f| f.cash).sum::<f64>() / active.len().max(1) as f64;
            let q: f64 = active.iter().map(|f| f.quality).sum::<f64>() / active.len().max(1) as f64;
            let hc: f64 = active.iter().map(|f| f.headcount as f64).sum::<f64>() / active.len().max(1) as f64;
            let dry: f64 = w.funds.iter().map(|f| f.dry_powder).sum();
            println!("t={} persons={} active={} launched={} mean_cash={:.0} q={:.2} hc={:.1} funds={} dry={:.2e} seekers={} vac={} pfind={:.2}",
                w.t, w.persons.len(), active.len(), launched, cash, q, hc, w.funds.len(), dry, w.regions[0].seekers, w.regions[0].vacancies, w.regions[0].p_find);
        }
    }
}
