// `crmvault-vendor-sim`: runs the simulated vendor (Sources/VendorSimulator) as its own process.
print("crmvault-vendor-sim: not built yet")
