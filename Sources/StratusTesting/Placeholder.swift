// StratusTesting
