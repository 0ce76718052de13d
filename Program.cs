using Infra.Stacks;

// The Pulumi program: one stack class builds every environment; Pulumi.<stack>.yaml says which.
return await Pulumi.Deployment.RunAsync<MatrixRtcStack>();
