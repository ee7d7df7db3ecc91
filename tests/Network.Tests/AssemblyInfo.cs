// Each collection starts a whole network of processes; on two cores they must not start at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
