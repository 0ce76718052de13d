using Infra.Provider;

// The component package's provider process: the Pulumi engine starts it and calls GetSchema and Construct.
await PackageProvider.ServeAsync(args);
