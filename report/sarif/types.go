package sarif

// The SARIF 2.1.0 objects sdkflow writes: a small, hand-built subset of the OASIS schema
// (schema/sarif-2.1.0.json), with omitempty throughout so the log carries only what is known.

type log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []run  `json:"runs"`
}

type run struct {
	Tool               tool                        `json:"tool"`
	Invocations        []invocation                `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]artifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []result                    `json:"results"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type tool struct {
	Driver toolComponent `json:"driver"`
}

type toolComponent struct {
	Name           string                `json:"name"`
	Version        string                `json:"version,omitempty"`
	InformationURI string                `json:"informationUri,omitempty"`
	Rules          []reportingDescriptor `json:"rules,omitempty"`
}

type reportingDescriptor struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name,omitempty"`
	ShortDescription     *multiformatMessage     `json:"shortDescription,omitempty"`
	FullDescription      *multiformatMessage     `json:"fullDescription,omitempty"`
	Help                 *multiformatMessage     `json:"help,omitempty"`
	DefaultConfiguration *reportingConfiguration `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any          `json:"properties,omitempty"`
}

type multiformatMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type reportingConfiguration struct {
	Level string `json:"level,omitempty"`
}

type message struct {
	Text string `json:"text"`
}

type result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             message           `json:"message"`
	Locations           []location        `json:"locations,omitempty"`
	RelatedLocations    []location        `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Suppressions        []suppression     `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type location struct {
	ID               *int              `json:"id,omitempty"`
	PhysicalLocation *physicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []logicalLocation `json:"logicalLocations,omitempty"`
	Message          *message          `json:"message,omitempty"`
}

type physicalLocation struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
}

type artifactLocation struct {
	URI         string   `json:"uri,omitempty"`
	URIBaseID   string   `json:"uriBaseId,omitempty"`
	Description *message `json:"description,omitempty"`
}

type logicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type suppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status,omitempty"`
	Justification string         `json:"justification,omitempty"`
	Properties    map[string]any `json:"properties,omitempty"`
}

type invocation struct {
	ExecutionSuccessful           bool           `json:"executionSuccessful"`
	ToolConfigurationNotification []notification `json:"toolConfigurationNotifications,omitempty"`
	ToolExecutionNotifications    []notification `json:"toolExecutionNotifications,omitempty"`
}

type notification struct {
	Level      string               `json:"level,omitempty"`
	Message    message              `json:"message"`
	Descriptor *descriptorReference `json:"descriptor,omitempty"`
	Locations  []location           `json:"locations,omitempty"`
}

type descriptorReference struct {
	ID string `json:"id"`
}
