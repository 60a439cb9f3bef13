package adapters

// All is the single list of workload types, in the order the API and UI show them.
// A new type is one constructor added here.
func All(c *Cluster) []Adapter {
	return []Adapter{
		NewDeployment(c),
		NewCloneSet(c),
		NewStatefulSet(c),
		NewDaemonSet(c),
		NewBroadcastJob(c),
		NewAdvancedCronJob(c),
	}
}
