// Deployment.TestAsync keeps the deployment in process-wide state and config in environment variables:
// the stack tests must run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
